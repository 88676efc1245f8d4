namespace Cop.Host.Commands;
public static class BenchCommand
{
    public static Task<int> RunAsync(Cop.Host.Configuration.CopSettings settings, bool quick) => Task.FromResult(0);
}

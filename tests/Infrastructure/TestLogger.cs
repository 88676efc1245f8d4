using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cop.Tests.Infrastructure;

/// <summary>Routes the code's Microsoft.Extensions.Logging output to the test's output.</summary>
public sealed class TestLogger(ITestOutputHelper? output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => output is not null && logLevel >= LogLevel.Information;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        try { output!.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}"); }
        catch (InvalidOperationException) { /* test already finished */ }
    }
}

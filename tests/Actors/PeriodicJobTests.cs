using Akka.Actor;
using Cop.Actors.Jobs;
using Xunit.Abstractions;

namespace Cop.Tests.Actors;

/// <summary>The periodic jobs (dead-letter retries, the online store's materialisation): one run
/// at a time, a failure does not end the job, stopping it cancels the run in flight.</summary>
public class PeriodicJobTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public async Task A_run_slower_than_the_interval_is_never_overlapped_the_ticks_meanwhile_are_skipped()
    {
        var running = 0;
        var most = 0;
        var runs = 0;
        var job = Sys.ActorOf(PeriodicJob.Props("slow", async (_, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(300, ct);   // the job's own work, three intervals long (pacing, not a wait)
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref runs);
            return null;
        }, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(10)));

        await AwaitAssertAsync(async () =>
        {
            var s = await job.Ask<PeriodicJob.JobStatus>(new PeriodicJob.GetStatus());
            Assert.True(s.Runs >= 3, $"{s.Runs} runs so far");
            Assert.True(s.Skipped >= 2, $"{s.Skipped} ticks skipped so far");
        }, TimeSpan.FromSeconds(20));
        Assert.Equal(1, Volatile.Read(ref most));
    }

    [Fact]
    public async Task A_failing_run_is_logged_and_the_next_tick_runs_again()
    {
        var calls = 0;
        var job = Sys.ActorOf(PeriodicJob.Props("flaky", (_, _) =>
            Interlocked.Increment(ref calls) == 1 ? Task.FromException<string?>(new InvalidOperationException("database away")) : Task.FromResult<string?>("ok"),
            TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(10)));

        await AwaitAssertAsync(async () =>
        {
            var s = await job.Ask<PeriodicJob.JobStatus>(new PeriodicJob.GetStatus());
            Assert.Equal(1, s.Failures);
            Assert.True(s.Runs >= 2);
            Assert.Null(s.LastError);   // the run after the failure succeeded
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stopping_the_job_cancels_the_run_in_flight()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = Sys.ActorOf(PeriodicJob.Props("long", async (_, ct) =>
        {
            started.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, ct); }   // a run that only ends when cancelled
            catch (OperationCanceledException) { cancelled.TrySetResult(); throw; }
            return null;
        }, TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(10)));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Watch(job);
        job.Tell(PoisonPill.Instance);
        ExpectTerminated(job);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }
}

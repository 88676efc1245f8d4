using Cop.Streams.Notifications;

namespace Cop.Tests.Streams;

public class EventWatermarksTests
{
    private static readonly DateTime T0 = new(2024, 1, 2, 13, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Admits_each_key_once_per_symbol_in_time_order()
    {
        var w = new EventWatermarks("c");
        Assert.Equal(Admission.Admitted, w.TryAdmit("USD/COP", T0));
        Assert.Equal(Admission.Duplicate, w.TryAdmit("USD/COP", T0));
        Assert.Equal(Admission.Admitted, w.TryAdmit("USD/COP", T0.AddMinutes(5)));
        Assert.Equal(Admission.Duplicate, w.TryAdmit("USD/COP", T0)); // older than the frontier
        Assert.Equal(Admission.Admitted, w.TryAdmit("USD/MXN", T0));  // symbols are independent
    }

    [Fact]
    public void Starts_from_the_durable_watermark_and_commits_only_forward()
    {
        var w = new EventWatermarks("c", new Dictionary<string, DateTime> { ["USD/COP"] = T0 });
        Assert.Equal(Admission.Duplicate, w.TryAdmit("USD/COP", T0));
        Assert.Equal(T0, w.ReadFrom()["USD/COP"]);
        w.TryAdmit("USD/COP", T0.AddMinutes(10));
        Assert.Equal(T0.AddMinutes(10), w.ReadFrom()["USD/COP"]);   // catch-up starts after what is in flight
        Assert.Equal(T0, w.Committed()["USD/COP"]);                 // but nothing is durable yet
        w.MarkCommitted(new Dictionary<string, DateTime> { ["USD/COP"] = T0.AddMinutes(10) });
        w.MarkCommitted(new Dictionary<string, DateTime> { ["USD/COP"] = T0.AddMinutes(5) });
        Assert.Equal(T0.AddMinutes(10), w.Committed()["USD/COP"]);
    }
}

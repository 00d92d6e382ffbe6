using Orchestrator.Core.Monitoring;

namespace Orchestrator.Core.Tests.Monitoring;

/// <summary>Verifies joining late labels to predictions: a label finds its prediction once; predictions older than the
/// bound expire; a full buffer evicts the oldest; a retried request replaces its prediction; and every label that finds
/// nothing is counted.</summary>
public sealed class LabelJoinBufferTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    private static PendingPrediction At(string id, int minutes, double score = 0.5) => new(id, score, null, T0.AddMinutes(minutes));

    [Fact]
    public void Label_FindsItsPredictionOnce()
    {
        var buffer = new LabelJoinBuffer(TimeSpan.FromDays(7), 100);
        buffer.Add(At("r1", 0, 0.8), T0);

        Assert.Equal(0.8, buffer.Join("r1", T0.AddHours(1))!.Prediction);
        Assert.Null(buffer.Join("r1", T0.AddHours(2)));
        Assert.Null(buffer.Join("never-seen", T0.AddHours(2)));
        Assert.Equal(2, buffer.Unmatched);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void Predictions_OlderThanTheBound_Expire_EvenWhenTheyArrivedOutOfOrder()
    {
        var buffer = new LabelJoinBuffer(TimeSpan.FromHours(1), 100);
        buffer.Add(At("late", 30), T0.AddMinutes(30));
        buffer.Add(At("early", 0), T0.AddMinutes(30));
        buffer.Add(At("new", 50), T0.AddMinutes(50));

        Assert.Null(buffer.Join("early", T0.AddMinutes(61)));
        Assert.Equal(1, buffer.Expired);
        Assert.NotNull(buffer.Join("late", T0.AddMinutes(61)));
        buffer.Expire(T0.AddMinutes(111));
        Assert.Equal(2, buffer.Expired);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void FullBuffer_EvictsTheOldest_AndARetriedRequestReplacesItsPrediction()
    {
        var buffer = new LabelJoinBuffer(TimeSpan.FromDays(7), 2);
        buffer.Add(At("a", 0), T0);
        buffer.Add(At("b", 1), T0);
        buffer.Add(At("b", 2, 0.9), T0);
        buffer.Add(At("c", 3), T0);

        Assert.Equal(1, buffer.Evicted);
        Assert.Null(buffer.Join("a", T0));
        Assert.Equal(0.9, buffer.Join("b", T0)!.Prediction);
        Assert.NotNull(buffer.Join("c", T0));
    }
}

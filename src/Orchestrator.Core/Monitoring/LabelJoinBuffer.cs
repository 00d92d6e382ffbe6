namespace Orchestrator.Core.Monitoring;

/// <summary>A prediction waiting for its ground truth.</summary>
/// <param name="RequestId">The serving layer's id for the request, which the label will carry.</param>
/// <param name="Prediction">The model's output: a score (probability of the positive class) or a regression value.</param>
/// <param name="PredictedClass">For classifiers, the class it predicted; null for regressors.</param>
/// <param name="At">When the prediction was made.</param>
/// <param name="Version">The model version that served it; 0 when unknown.</param>
public sealed record PendingPrediction(string RequestId, double Prediction, string? PredictedClass, DateTimeOffset At, int Version = 0);

/// <summary>Predictions waiting for labels that arrive later, joined by request id within a bounded time and a bounded
/// number of entries (the oldest go first when full), so a serving layer that never sends labels costs bounded memory.</summary>
public sealed class LabelJoinBuffer
{
    private readonly Dictionary<string, LinkedListNode<PendingPrediction>> _byRequest = new(StringComparer.Ordinal);
    private readonly LinkedList<PendingPrediction> _byTime = new();

    /// <summary>A buffer keeping predictions for <paramref name="maxAge"/> and at most <paramref name="capacity"/> of them.</summary>
    public LabelJoinBuffer(TimeSpan maxAge, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        MaxAge = maxAge;
        Capacity = capacity;
    }

    /// <summary>How long a prediction waits for its label.</summary>
    public TimeSpan MaxAge { get; }

    /// <summary>Most predictions held.</summary>
    public int Capacity { get; }

    /// <summary>Predictions waiting now.</summary>
    public int Count => _byRequest.Count;

    /// <summary>Predictions dropped because the buffer was full.</summary>
    public long Evicted { get; private set; }

    /// <summary>Predictions dropped because no label came in time.</summary>
    public long Expired { get; private set; }

    /// <summary>Labels that found no prediction (never seen, expired, evicted, or already joined).</summary>
    public long Unmatched { get; private set; }

    /// <summary>Holds a prediction; a repeated request id replaces the earlier one (the serving layer retried).</summary>
    public void Add(PendingPrediction prediction, DateTimeOffset now)
    {
        Expire(now);
        if (_byRequest.Remove(prediction.RequestId, out var old)) _byTime.Remove(old);
        if (_byRequest.Count >= Capacity)
        {
            var oldest = _byTime.First!;
            _byTime.RemoveFirst();
            _byRequest.Remove(oldest.Value.RequestId);
            Evicted++;
        }

        // Predictions arrive mostly in time order; one that is older than the newest goes to its place from the end.
        var after = _byTime.Last;
        while (after is not null && after.Value.At > prediction.At) after = after.Previous;
        var node = after is null ? _byTime.AddFirst(prediction) : _byTime.AddAfter(after, prediction);
        _byRequest[prediction.RequestId] = node;
    }

    /// <summary>The prediction a label belongs to, taken out of the buffer; null when none waits (counted as unmatched).</summary>
    public PendingPrediction? Join(string requestId, DateTimeOffset now)
    {
        Expire(now);
        if (!_byRequest.Remove(requestId, out var node))
        {
            Unmatched++;
            return null;
        }

        _byTime.Remove(node);
        return node.Value;
    }

    /// <summary>Drops predictions older than <see cref="MaxAge"/>.</summary>
    public void Expire(DateTimeOffset now)
    {
        var limit = now - MaxAge;
        while (_byTime.First is { } first && first.Value.At < limit)
        {
            _byTime.RemoveFirst();
            _byRequest.Remove(first.Value.RequestId);
            Expired++;
        }
    }
}

using System.Globalization;
using System.Text;
using Orchestrator.Core.Storage;

namespace Orchestrator.Storage.StepLogs;

/// <summary>Maps a <see cref="StepLogKey"/> to <c>&lt;root&gt;/&lt;run id&gt;/&lt;step key&gt;/&lt;attempt&gt;.log</c> (or
/// <c>&lt;attempt&gt;.r&lt;replica&gt;.log</c> for a gang's further processes), refusing
/// ids that could escape the directory.</summary>
internal static class StepLogPath
{
    private const int MaxSegmentBytes = 255;

    /// <summary>The log file of <paramref name="key"/> under <paramref name="root"/>.</summary>
    public static string For(string root, StepLogKey key)
    {
        CheckSegment(key.RunId, nameof(StepLogKey.RunId));
        CheckSegment(key.StepKey, nameof(StepLogKey.StepKey));
        if (key.Attempt < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StepLogKey.Attempt), key.Attempt, "Attempt must be 0 or more.");
        }

        if (key.Replica < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StepLogKey.Replica), key.Replica, "Replica must be 0 or more.");
        }

        var attempt = key.Attempt.ToString(CultureInfo.InvariantCulture);
        // A gang's first process writes the attempt's own log, so a one-process step's path is unchanged.
        var name = key.Replica == 0 ? attempt : $"{attempt}.r{key.Replica.ToString(CultureInfo.InvariantCulture)}";
        return Path.Combine(root, key.RunId, key.StepKey, name + ".log");
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="field"/> unless <paramref name="value"/>
    /// is safe as one directory name.</summary>
    public static void CheckSegment(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{field} is empty; a step log needs a run id and a step key.", field);
        }

        if (value.Contains('/') || value.Contains('\\') || value.Contains('\0') || value.Contains("..", StringComparison.Ordinal) || value == ".")
        {
            throw new ArgumentException(
                $"{field} '{value.Replace("\0", "\\0", StringComparison.Ordinal)}' cannot be used in a log path: it must not contain '/', '\\', '..' or NUL " +
                "(run ids are plain names; step keys look like train[3]).", field);
        }

        if (Encoding.UTF8.GetByteCount(value) > MaxSegmentBytes)
        {
            throw new ArgumentException($"{field} is longer than {MaxSegmentBytes} UTF-8 bytes, too long for a file name.", field);
        }
    }
}

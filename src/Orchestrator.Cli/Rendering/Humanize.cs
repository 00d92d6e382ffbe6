using System.Globalization;

using Google.Protobuf.WellKnownTypes;

namespace Orchestrator.Cli.Rendering;

/// <summary>Short human forms of times, sizes and digests for tables.</summary>
internal static class Humanize
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>How long ago <paramref name="time"/> was: <c>42s</c>, <c>5m</c>, <c>3h</c>, <c>2d</c>; <c>-</c> when unset.</summary>
    public static string Age(Timestamp? time, DateTimeOffset now) =>
        time is null ? "-" : Compact(now - time.ToDateTimeOffset());

    /// <summary>A span in its two largest units: <c>850ms</c>, <c>12s</c>, <c>1m05s</c>, <c>2h03m</c>, <c>3d04h</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalSeconds < 1) return $"{(int)span.TotalMilliseconds}ms";
        if (span.TotalMinutes < 1) return $"{(int)span.TotalSeconds}s";
        if (span.TotalHours < 1) return $"{(int)span.TotalMinutes}m{span.Seconds:00}s";
        if (span.TotalDays < 1) return $"{(int)span.TotalHours}h{span.Minutes:00}m";
        return $"{(int)span.TotalDays}d{span.Hours:00}h";
    }

    /// <summary>From <paramref name="start"/> to <paramref name="end"/>, or to <paramref name="now"/> while still going; <c>-</c> before it started.</summary>
    public static string Elapsed(Timestamp? start, Timestamp? end, DateTimeOffset now) =>
        start is null ? "-" : Duration((end?.ToDateTimeOffset() ?? now) - start.ToDateTimeOffset());

    /// <summary>A byte count in binary units: <c>512Mi</c>, <c>1.5Gi</c>, <c>140Gi</c>.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["", "Ki", "Mi", "Gi", "Ti", "Pi"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? bytes.ToString(Invariant) : value.ToString(value < 10 ? "0.#" : "0", Invariant) + units[unit];
    }

    /// <summary>CPU in cores from thousandths: <c>4</c>, <c>0.5</c>.</summary>
    public static string Cores(long millis) => (millis / 1000.0).ToString("0.##", Invariant);

    /// <summary>A digest shortened for reading: <c>sha256:1a2b3c4d…</c>.</summary>
    public static string Digest(string digest)
    {
        if (string.IsNullOrEmpty(digest)) return "-";
        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..] : digest;
        return hex.Length > 8 ? $"sha256:{hex[..8]}…" : $"sha256:{hex}";
    }

    /// <summary>A time of day in local time for event lines: <c>14:02:11</c>.</summary>
    public static string Clock(Timestamp? time) =>
        time is null ? "--:--:--" : time.ToDateTimeOffset().ToLocalTime().ToString("HH:mm:ss", Invariant);

    /// <summary>GPU indices as <c>0,1</c>; <c>-</c> when none.</summary>
    public static string Gpus(IEnumerable<int> indices)
    {
        var text = string.Join(',', indices);
        return text.Length == 0 ? "-" : text;
    }

    /// <summary>Labels as <c>k=v,k2=v2</c>, sorted.</summary>
    public static string Labels(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static string Compact(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalMinutes < 1) return $"{(int)span.TotalSeconds}s";
        if (span.TotalHours < 1) return $"{(int)span.TotalMinutes}m";
        if (span.TotalDays < 1) return $"{(int)span.TotalHours}h";
        return $"{(int)span.TotalDays}d";
    }
}

using System.Globalization;

namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>Reads Muri, Philly and Tiresias trace files (CSV with a header), detecting the format from the header.</summary>
public static class TraceReader
{
    private static readonly string[] PhillyDateFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss.FFFFFFF"];

    /// <summary>Reads <paramref name="path"/>; <paramref name="format"/> forces a format, null detects it from the header.</summary>
    /// <exception cref="TraceFormatException">The file is missing, empty, of no known format, or has a bad row.</exception>
    public static SimulationTrace Read(string path, TraceFormat? format = null)
    {
        if (!File.Exists(path)) throw new TraceFormatException(path, 0, 0, null, "no such file; give the path of a trace CSV with --trace");
        using var reader = new StreamReader(path);
        return Read(path, reader, format);
    }

    /// <summary>Reads a trace from <paramref name="text"/>; <paramref name="path"/> only names it in messages.</summary>
    public static SimulationTrace Read(string path, TextReader text, TraceFormat? format = null)
    {
        var header = text.ReadLine();
        if (string.IsNullOrWhiteSpace(header)) throw new TraceFormatException(path, 1, 0, null, "the file is empty; a trace starts with a header line");
        var columns = new TraceColumns(path, SplitFields(header));
        var detected = format ?? Detect(path, columns);
        var rows = new RowParser(path, columns, detected);
        var jobs = new List<TraceJob>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 1;
        for (var line = text.ReadLine(); line is not null; line = text.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var job = rows.Parse(SplitFields(line), lineNumber);
            if (!ids.TryAdd(job.Id, lineNumber))
            {
                throw new TraceFormatException(path, lineNumber, columns.Number("job_id"), "job_id",
                    $"job id '{job.Id}' already appeared on line {ids[job.Id]}; job ids must be unique");
            }

            jobs.Add(job);
        }

        if (jobs.Count == 0) throw new TraceFormatException(path, 0, 0, null, "the trace has a header but no jobs");
        if (detected == TraceFormat.Philly) jobs = rows.RelativeToEarliest(jobs);

        // A stable sort: jobs submitted at the same instant keep the file's order, so runs are deterministic.
        return new SimulationTrace(path, detected, [.. jobs.OrderBy(j => j.Submit)]);
    }

    /// <summary>The format a header belongs to; null when it matches none.</summary>
    public static TraceFormat? DetectFormat(IReadOnlyList<string> header)
    {
        var names = header.Select(h => h.Trim().ToLowerInvariant()).ToHashSet();
        if (names.Contains("timestamp") && names.Contains("num_gpus") && names.Contains("duration")) return TraceFormat.Philly;
        if (!names.Contains("num_gpu") || !names.Contains("submit_time") || !names.Contains("duration")) return null;

        // Both Muri and Tiresias files carry num_gpu/submit_time/duration; only Muri's (in ms) profile iterations.
        return names.Contains("iteration_time") || names.Contains("batch_size") ? TraceFormat.Muri : TraceFormat.Tiresias;
    }

    private static TraceFormat Detect(string path, TraceColumns columns) =>
        DetectFormat(columns.Names) ?? throw new TraceFormatException(path, 1, 0, null,
            "unknown trace format: expected a Muri header (num_gpu, submit_time, duration in ms, iteration_time), "
            + "a Tiresias header (num_gpu, submit_time, duration in s) or a Philly header (timestamp, duration, num_gpus, cluster); "
            + "use --format muri|philly|tiresias to force one");

    /// <summary>Splits one CSV line; fields may be quoted (a doubled quote inside is one quote).</summary>
    internal static List<string> SplitFields(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString().Trim()); current.Clear(); }
            else current.Append(c);
        }

        fields.Add(current.ToString().Trim());
        return fields;
    }

    private sealed class TraceColumns(string path, List<string> names)
    {
        private readonly Dictionary<string, int> index = names
            .Select((name, i) => (Name: name.Trim().ToLowerInvariant(), Index: i))
            .GroupBy(c => c.Name)
            .ToDictionary(g => g.Key, g => g.First().Index);

        public List<string> Names => names;

        public int Count => names.Count;

        /// <summary>1-based column number, or 0 when absent.</summary>
        public int Number(string name) => index.TryGetValue(name, out var i) ? i + 1 : 0;

        public int Require(string name, TraceFormat format) => index.TryGetValue(name, out var i)
            ? i
            : throw new TraceFormatException(path, 1, 0, null,
                $"the header has no '{name}' column, which a {format.ToString().ToLowerInvariant()} trace needs (header: {string.Join(',', names)})");

        public void RequireAll(TraceFormat format, string[] required)
        {
            var missing = required.Where(name => !index.ContainsKey(name)).ToList();
            if (missing.Count == 0) return;
            throw new TraceFormatException(path, 1, 0, null,
                $"the header has no {string.Join(", ", missing.Select(m => $"'{m}'"))} column{(missing.Count > 1 ? "s" : "")}, which a "
                + $"{format.ToString().ToLowerInvariant()} trace needs (header: {string.Join(',', names)})");
        }

        public int? Optional(string name) => index.TryGetValue(name, out var i) ? i : null;
    }

    /// <summary>Turns the fields of one row into a job, with the format's units.</summary>
    private sealed class RowParser
    {
        private readonly string path;
        private readonly TraceColumns columns;
        private readonly TraceFormat format;
        private readonly int gpus;
        private readonly int duration;
        private readonly int submit;
        private readonly int? id;
        private readonly int? tenant;
        private readonly int? model;
        private readonly Dictionary<string, DateTime> phillyStamps = [];

        public RowParser(string path, TraceColumns columns, TraceFormat format)
        {
            this.path = path;
            this.columns = columns;
            this.format = format;
            columns.RequireAll(format, format == TraceFormat.Philly ? ["timestamp", "duration", "num_gpus"] : ["num_gpu", "submit_time", "duration"]);
            duration = columns.Require("duration", format);
            if (format == TraceFormat.Philly)
            {
                gpus = columns.Require("num_gpus", format);
                submit = columns.Require("timestamp", format);
                tenant = columns.Optional("cluster");
            }
            else
            {
                gpus = columns.Require("num_gpu", format);
                submit = columns.Require("submit_time", format);
                id = columns.Optional("job_id");
                model = columns.Optional("model_name");
            }
        }

        public TraceJob Parse(List<string> fields, int line)
        {
            if (fields.Count != columns.Count)
            {
                throw new TraceFormatException(path, line, 0, null, $"{fields.Count} fields where the header has {columns.Count}; every row needs one value per header column");
            }

            var jobGpus = Integer(fields, gpus, line, minimum: 1);
            var jobDuration = Seconds(fields, duration, line, format == TraceFormat.Muri ? 1000 : 1);
            var jobId = id is { } i ? NonEmpty(fields, i, line) : $"job-{line}";
            var historyKey = model is { } m ? fields[m] : "";
            if (format == TraceFormat.Philly)
            {
                var stamp = Date(fields, submit, line);
                phillyStamps[jobId] = stamp;
                var cluster = tenant is { } t && fields[t].Length > 0 ? fields[t] : "default";
                return new TraceJob(jobId, cluster, TimeSpan.Zero, jobDuration, jobGpus, historyKey, line);
            }

            var jobSubmit = Seconds(fields, submit, line, format == TraceFormat.Muri ? 1000 : 1);
            return new TraceJob(jobId, "default", jobSubmit, jobDuration, jobGpus, historyKey, line);
        }

        /// <summary>Philly stamps are dates: submission is their distance from the earliest one.</summary>
        public List<TraceJob> RelativeToEarliest(List<TraceJob> jobs)
        {
            var earliest = phillyStamps.Values.Min();
            return [.. jobs.Select(j => j with { Submit = phillyStamps[j.Id] - earliest })];
        }

        private string NonEmpty(List<string> fields, int column, int line) => fields[column].Length > 0
            ? fields[column]
            : throw Bad(line, column, "is empty; give each job an id");

        private int Integer(List<string> fields, int column, int line, int minimum)
        {
            var text = fields[column];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value != Math.Floor(value) || value > int.MaxValue)
            {
                throw Bad(line, column, $"'{text}' is not a whole number");
            }

            return value >= minimum ? (int)value : throw Bad(line, column, $"{text} is less than {minimum}; a job needs at least {minimum} GPU");
        }

        private TimeSpan Seconds(List<string> fields, int column, int line, double unitsPerSecond)
        {
            var text = fields[column];
            var unit = unitsPerSecond == 1000 ? "milliseconds" : "seconds";
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || double.IsInfinity(value))
            {
                throw Bad(line, column, $"'{text}' is not a number of {unit}");
            }

            if (value < 0) throw Bad(line, column, $"{text} is negative; times and durations are {unit} from 0 up");
            var seconds = value / unitsPerSecond;
            if (seconds > TimeSpan.MaxValue.TotalSeconds / 4) throw Bad(line, column, $"{text} {unit} is too large for a simulation");
            return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }

        private DateTime Date(List<string> fields, int column, int line)
        {
            var text = fields[column];
            return DateTime.TryParseExact(text, PhillyDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var stamp)
                ? stamp
                : throw Bad(line, column, $"'{text}' is not a date like 2017-10-09 07:01:55");
        }

        private TraceFormatException Bad(int line, int column, string problem) =>
            new(path, line, column + 1, columns.Names[column], problem);
    }
}

using System.Globalization;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>A shared file every step process of a fault test appends to: <c>start</c>, a <c>tick</c> every half second
/// and <c>end</c>, each one line written with one O_APPEND write, with the run, step key, attempt, node and wall time.
/// Ticks make a process that outlived its node visible: two attempts of one step interleave only if both were alive.</summary>
internal sealed class StepJournal : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orch-journal-" + Guid.NewGuid().ToString("N")[..10]);

    public StepJournal()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(FilePath, "");
        File.WriteAllText(ScriptPath, """
            j=$1; n=$2
            line() { echo "$1 $ORCH_RUN_ID $ORCH_STEP_KEY $ORCH_ATTEMPT $ORCH_NODE $(date +%s.%N)" >> "$j"; }
            line start
            i=0
            while [ "$i" -lt "$n" ]; do sleep 0.5; line tick; i=$((i + 1)); done
            line end
            """);
    }

    /// <summary>The journal file.</summary>
    public string FilePath => Path.Combine(_directory, "journal.txt");

    private string ScriptPath => Path.Combine(_directory, "step.sh");

    /// <summary>A pipeline YAML whose one step runs the journalled script for <paramref name="halfSeconds"/> ticks.</summary>
    public string Pipeline(string name, int halfSeconds, int gpus = 0) => $$"""
        name: {{name}}
        # Every round runs the same command: without this, later rounds would be served from the step cache.
        cache: false
        steps:
          - name: work
            resources: {gpus: {{gpus}}}
            command: [sh, '{{ScriptPath}}', '{{FilePath}}', '{{halfSeconds}}']
        """;

    /// <summary>Every line written so far.</summary>
    public IReadOnlyList<JournalRecord> Read()
    {
        // A line being appended right now may be cut: only whole lines count.
        var text = File.ReadAllText(FilePath);
        return text.Split('\n').Select(JournalRecord.TryParse).OfType<JournalRecord>().ToList();
    }

    /// <summary>How many attempts have not ended and wrote a line in the last 1.5 s (a killed one stops writing).</summary>
    public int Running()
    {
        var records = Read();
        var recent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - 1.5;
        var alive = records.Where(r => r.Time >= recent).Select(r => r.AttemptKey).ToHashSet();
        alive.ExceptWith(records.Where(r => r.Kind == "end").Select(r => r.AttemptKey));
        return alive.Count;
    }

    /// <summary>The problems found: one attempt started twice, or two attempts of one step alive at the same time.</summary>
    public IReadOnlyList<string> Overlaps()
    {
        var problems = new List<string>();
        foreach (var step in Read().GroupBy(r => (r.Run, r.Step)))
        {
            var attempts = step.GroupBy(r => r.Attempt)
                .Select(a => (Attempt: a.Key, First: a.Min(r => r.Time), Last: a.Max(r => r.Time), Starts: a.Count(r => r.Kind == "start"), Nodes: string.Join(",", a.Select(r => r.Node).Distinct())))
                .OrderBy(a => a.First).ToList();
            foreach (var a in attempts.Where(a => a.Starts > 1))
                problems.Add($"{step.Key.Run} {step.Key.Step} attempt {a.Attempt} started {a.Starts} times (on {a.Nodes})");
            for (var i = 1; i < attempts.Count; i++)
            {
                if (attempts[i].First <= attempts[i - 1].Last)
                {
                    problems.Add($"{step.Key.Run} {step.Key.Step}: attempt {attempts[i].Attempt} on {attempts[i].Nodes} started at {attempts[i].First:F3} while attempt {attempts[i - 1].Attempt} on {attempts[i - 1].Nodes} was alive until {attempts[i - 1].Last:F3}");
                }
            }
        }

        return problems;
    }

    /// <summary>The attempts that started and never wrote their end (their process was killed).</summary>
    public IReadOnlyList<(string Run, string Step, int Attempt, string Node)> Unfinished()
    {
        var records = Read();
        var ended = records.Where(r => r.Kind == "end").Select(r => r.AttemptKey).ToHashSet();
        return records.Where(r => r.Kind == "start" && !ended.Contains(r.AttemptKey)).Select(r => (r.Run, r.Step, r.Attempt, r.Node)).ToList();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

/// <summary>One line of a <see cref="StepJournal"/>.</summary>
internal sealed record JournalRecord(string Kind, string Run, string Step, int Attempt, string Node, double Time)
{
    public (string, string, int) AttemptKey => (Run, Step, Attempt);

    public static JournalRecord? TryParse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6 || parts[0] is not ("start" or "tick" or "end")) return null;
        if (!int.TryParse(parts[3], CultureInfo.InvariantCulture, out var attempt)) return null;
        if (!double.TryParse(parts[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var time)) return null;
        return new JournalRecord(parts[0], parts[1], parts[2], attempt, parts[4], time);
    }
}

namespace Orchestrator.LoadTests.Hosting;

/// <summary>The last lines a child process wrote, kept for the error message when it dies.</summary>
internal sealed class OutputTail(int capacity)
{
    private readonly Queue<string> _lines = new();

    /// <summary>Keeps a line, dropping the oldest beyond the capacity.</summary>
    public void Add(string? line)
    {
        if (line is null) return;
        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    /// <summary>The lines kept, oldest first.</summary>
    public override string ToString()
    {
        lock (_lines) return string.Join(Environment.NewLine, _lines);
    }
}

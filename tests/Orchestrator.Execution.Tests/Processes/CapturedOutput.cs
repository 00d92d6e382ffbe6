using System.Text;

using Orchestrator.Core.Storage;

namespace Orchestrator.Execution.Tests.Processes;

/// <summary>Collects what a step process writes, per stream, as bytes.</summary>
public sealed class CapturedOutput
{
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();

    public void Append(LogStreamKind kind, ReadOnlyMemory<byte> data)
    {
        var target = kind == LogStreamKind.Stderr ? _stderr : _stdout;
        lock (target) target.Write(data.Span);
    }

    public byte[] StdoutBytes
    {
        get
        {
            lock (_stdout) return _stdout.ToArray();
        }
    }

    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string Stderr
    {
        get
        {
            lock (_stderr) return Encoding.UTF8.GetString(_stderr.ToArray());
        }
    }
}

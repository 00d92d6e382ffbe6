using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Orchestrator.LoadTests.Measurement;

/// <summary>CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): on a shared, oversubscribed machine the
/// wall clock also counts the time other processes held the core, the thread's CPU time does not. Falls back to the
/// wall clock where the call is not available.</summary>
internal sealed class ThreadCpuClock
{
    private const int ThreadCpuTimeId = 3;
    private static readonly bool Available = Probe();
    private readonly Stopwatch _wall = new();
    private double _elapsedMicroseconds;
    private double _startedAt;

    /// <summary>Whether readings are CPU time (else wall time).</summary>
    public static bool IsCpuTime => Available;

    /// <summary>Microseconds measured between Start and Stop calls, summed.</summary>
    public double ElapsedMicroseconds => Available ? _elapsedMicroseconds : _wall.Elapsed.TotalMicroseconds;

    /// <summary>Starts a timed part (on the thread that will stop it).</summary>
    public void Start()
    {
        if (Available) _startedAt = Now();
        else _wall.Start();
    }

    /// <summary>Ends a timed part.</summary>
    public void Stop()
    {
        if (Available) _elapsedMicroseconds += Now() - _startedAt;
        else _wall.Stop();
    }

    private static double Now()
    {
        _ = clock_gettime(ThreadCpuTimeId, out var time);
        return (time.Seconds * 1e6) + (time.Nanoseconds / 1e3);
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return clock_gettime(ThreadCpuTimeId, out _) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc")]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for nothing here
    private static extern int clock_gettime(int clock, out TimeSpec time);
#pragma warning restore SYSLIB1054
}

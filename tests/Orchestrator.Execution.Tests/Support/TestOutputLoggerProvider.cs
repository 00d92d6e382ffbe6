using Microsoft.Extensions.Logging;

using Xunit.Abstractions;

namespace Orchestrator.Execution.Tests.Support;

/// <summary>Gives every logger category the test's output (for code that takes an <see cref="ILoggerFactory"/>).</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger<TestOutputLoggerProvider>(output);

    public void Dispose()
    {
    }
}

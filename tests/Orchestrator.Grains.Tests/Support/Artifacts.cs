using System.Security.Cryptography;
using System.Text;
using Orchestrator.Core.Runs;

namespace Orchestrator.Grains.Tests.Support;

/// <summary>Step outputs as an agent would report them after uploading the files.</summary>
public static class Artifacts
{
    /// <summary>A small text output: digest and size of <paramref name="content"/>, with the text itself.</summary>
    public static StepOutput Text(string name, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return new StepOutput(name, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, content);
    }
}

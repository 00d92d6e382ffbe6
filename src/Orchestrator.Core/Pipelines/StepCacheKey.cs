using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Core.Pipelines;

/// <summary>The cache key of a resolved step: a digest of everything that decides what it computes.</summary>
/// <remarks>
/// Resources, timeout and retry are left out on purpose: they change how a step runs, not what it produces.
/// Every string and list is length-prefixed, so no two different steps encode to the same bytes
/// (["ab","c"] and ["a","bc"] differ).
/// </remarks>
public static class StepCacheKey
{
    /// <summary>Changes whenever the encoding changes, so keys from an older encoding never match.</summary>
    public const string Version = "orchestrator.step-cache.v1";

    /// <summary>The cache key (lowercase hex sha256) of <paramref name="step"/>; its own <see cref="ResolvedStep.CacheKey"/> is ignored.</summary>
    public static string Compute(ResolvedStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return Compute(step.Command, step.Image, step.Env, step.Inputs, step.Outputs);
    }

    /// <summary>The cache key (lowercase hex sha256) of a step with this command, image, env, inputs and outputs.</summary>
    public static string Compute(
        IReadOnlyList<string> command,
        string image,
        IReadOnlyDictionary<string, string> env,
        IReadOnlyList<ResolvedInput> inputs,
        IReadOnlyList<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Write(hash, Version);

        Write(hash, "command");
        Write(hash, command.Count);
        foreach (var argument in command) Write(hash, argument);

        Write(hash, "image");
        Write(hash, image);

        Write(hash, "env");
        Write(hash, env.Count);
        foreach (var (key, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            Write(hash, key);
            Write(hash, value);
        }

        Write(hash, "inputs");
        Write(hash, inputs.Count);
        foreach (var input in inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            Write(hash, input.Name);
            if (input.Artifact is { } artifact)
            {
                Write(hash, "artifact");
                Write(hash, artifact.Digest);
            }
            else if (input.Collected is { } collected)
            {
                Write(hash, "collected");
                Write(hash, collected.Count);
                foreach (var item in collected) Write(hash, item.Digest);
            }
            else
            {
                Write(hash, "value");
                Write(hash, input.Value ?? "");
            }
        }

        Write(hash, "outputs");
        Write(hash, outputs.Count);
        foreach (var output in outputs.Order(StringComparer.Ordinal)) Write(hash, output);

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Write(IncrementalHash hash, long number)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, number);
        hash.AppendData(bytes);
    }

    private static void Write(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Write(hash, bytes.LongLength);
        hash.AppendData(bytes);
    }
}

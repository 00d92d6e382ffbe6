using System.Security.Cryptography;

namespace Orchestrator.Execution.Artifacts;

/// <summary>The form of an artifact digest: sha256 as exactly 64 lowercase hex characters.</summary>
public static class ArtifactDigest
{
    /// <summary>Length of a digest in characters.</summary>
    public const int Length = 64;

    /// <summary>True when <paramref name="digest"/> is 64 lowercase hex characters.</summary>
    public static bool IsValid(string? digest) =>
        digest is { Length: Length } && digest.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>Returns <paramref name="digest"/> unchanged, or throws an <see cref="ArgumentException"/> that names it.</summary>
    /// <remarks>Digests become file names, so this runs before any path is built from one.</remarks>
    public static string EnsureValid(string? digest, string parameterName) =>
        IsValid(digest)
            ? digest!
            : throw new ArgumentException(
                $"digest \"{digest}\" is not a sha256 digest: expected {Length} lowercase hex characters (0-9, a-f)", parameterName);

    /// <summary>The digest text of a finished hash.</summary>
    public static string FromHash(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetHashAndReset());
}

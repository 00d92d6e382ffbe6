using k8s.Models;

namespace Orchestrator.Deploy.Tests.Support;

/// <summary>Invariants of the Redis StatefulSet: append-only persistence on a persistent volume.</summary>
public static class RedisChecks
{
    /// <summary>The value after a <c>--flag</c> in the Redis container's command line, or null.</summary>
    public static string? Argument(DeployManifests m, string flag)
    {
        var container = m.Redis.Spec.Template.Spec.Containers.Single();
        var line = (container.Command ?? []).Concat(container.Args ?? []).ToList();
        var at = line.IndexOf(flag);
        return at >= 0 && at + 1 < line.Count ? line[at + 1] : null;
    }

    /// <summary>Redis runs with <c>--appendonly yes</c>.</summary>
    public static IEnumerable<string> AppendOnly(DeployManifests m)
    {
        if (Argument(m, "--appendonly") != "yes") yield return "redis does not run with --appendonly yes";
    }

    /// <summary>Redis' <c>--dir</c> is where a volumeClaimTemplate's volume is mounted.</summary>
    public static IEnumerable<string> DataOnAClaim(DeployManifests m)
    {
        var dir = Argument(m, "--dir");
        if (dir is null)
        {
            yield return "redis has no --dir, so where its data lives is the image's choice";
            yield break;
        }

        var claims = (m.Redis.Spec.VolumeClaimTemplates ?? []).Select(c => c.Name()).ToHashSet();
        var mounts = m.Redis.Spec.Template.Spec.Containers.Single().VolumeMounts ?? [];
        if (!mounts.Any(v => v.MountPath.TrimEnd('/') == dir.TrimEnd('/') && claims.Contains(v.Name)))
            yield return $"redis' --dir {dir} is not a mount of a volumeClaimTemplate ({string.Join(", ", claims)})";
    }
}

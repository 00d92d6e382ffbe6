using Orchestrator.Deploy.Tests.Support;

namespace Orchestrator.Deploy.Tests;

/// <summary>Redis keeps what it acknowledged: append-only persistence, on a persistent volume claimed per pod.</summary>
public sealed class RedisTests
{
    [Fact]
    public void Redis_RunsWithAppendOnlyPersistence() =>
        Assert.Empty(RedisChecks.AppendOnly(DeployManifests.Load()));

    [Fact]
    public void Redis_KeepsItsDataOnAVolumeClaimTemplate() =>
        Assert.Empty(RedisChecks.DataOnAClaim(DeployManifests.Load()));

    [Fact]
    public void Redis_WithoutAppendOnly_IsReported()
    {
        var m = DeployManifests.Load();
        var args = m.Redis.Spec.Template.Spec.Containers.Single().Args;
        args[args.IndexOf("--appendonly") + 1] = "no";

        Assert.Contains("redis does not run with --appendonly yes", RedisChecks.AppendOnly(m));
    }

    [Fact]
    public void Redis_DataDirectoryOffTheClaim_IsReported()
    {
        var m = DeployManifests.Load();
        m.Redis.Spec.Template.Spec.Containers.Single().VolumeMounts.Single().MountPath = "/var/lib/redis";

        Assert.Contains("redis' --dir /data is not a mount of a volumeClaimTemplate (data)", RedisChecks.DataOnAClaim(m));
    }
}

using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The whole loop with real processes: a champion with a baseline profile; `orch models traffic` sends drifted
/// traffic; the monitor's drifted window triggers a retraining run of a real pipeline (a python train step, then a
/// register step) under the budget; the version it registered passes the gates, becomes challenger and its rollout
/// starts; traffic routed by the split (the challenger more accurate) advances the rollout to 100% and the challenger
/// becomes champion; the monitor then compares traffic with the new champion's baseline and sees no drift. The audit
/// trail records every step in order.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class ClosedLoopTests(EmbeddedServerFixture fixture)
{
    private const string TrainScript = """
        import argparse, json, random
        p = argparse.ArgumentParser()
        p.add_argument("--shift", type=float)
        p.add_argument("--model")
        p.add_argument("--metrics")
        p.add_argument("--profile")
        a = p.parse_args()
        rng = random.Random(11)
        values = sorted(rng.gauss(a.shift, 1.0) for _ in range(2000))
        edges = [values[len(values) * k // 10] for k in range(1, 10)]
        counts = [0] * 10
        for v in values:
            counts[sum(1 for e in edges if v >= e)] += 1
        profile = {"numeric": {"tenure": {"bin_edges": edges, "proportions": [c / len(values) for c in counts], "sample": values[::2]}}}
        json.dump(profile, open(a.profile, "w"))
        json.dump({"accuracy": 0.9}, open(a.metrics, "w"))
        open(a.model, "w").write("weights trained on shift %s" % a.shift)
        """;

    private static double Normal(Random random, double mean) =>
        mean + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public async Task DriftedTraffic_RetrainsGatesAndRollsOutANewChampion_ByItself()
    {
        var server = fixture.Server;
        var tenant = $"loop-{Guid.NewGuid():N}"[..16];
        var script = Path.Combine(Path.GetTempPath(), $"{tenant}-train.py");
        await File.WriteAllTextAsync(script, TrainScript);
        try
        {
            await server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
            {
                Tenant = tenant,
                SpecYaml = $$$"""
                    name: churn-retrain
                    parameters: [{name: shift, type: float, default: 0}, {name: why, type: string, default: manual}]
                    steps:
                      - name: train
                        command: [python3, {{{script}}}, --shift, '{{params.shift}}', --model, '{{outputs.model}}',
                                  --metrics, '{{outputs.metrics}}', --profile, '{{outputs.profile}}']
                        outputs: [model, metrics, profile]
                      - name: register
                        register:
                          model: churn
                          artifact: "{{steps.train.outputs.model}}"
                          metrics: "{{steps.train.outputs.metrics}}"
                          profile: "{{steps.train.outputs.profile}}"
                          tags: {trigger: "{{params.why}}"}
                    """,
            });
            await RegisterChampionAsync(server, tenant);
            var gates = new SetGatesRequest { Tenant = tenant, Name = "churn" };
            gates.Gates.Add(new ValidationGate { MetricThreshold = new MetricThresholdGate { Expression = "accuracy>=0.8" } });
            await server.Models.SetGatesAsync(gates);
            var plan = new RolloutPlan();
            plan.Steps.Add(new RolloutStep { Percent = 50, MinPredictions = 2_000 });
            plan.Steps.Add(new RolloutStep { Percent = 100, MinPredictions = 2_000 });
            plan.Guards.Add(new RolloutGuard { Metric = "accuracy", MaxRegression = 0.05, MinLabeled = 500 });
            await server.Rollouts.SetRolloutPolicyAsync(new SetRolloutPolicyRequest { Deployment = new DeploymentRef { Tenant = tenant, Model = "churn" }, Plan = plan });
            var policy = new RetrainingPolicy { Pipeline = "churn-retrain", DriftWindows = 1 };
            policy.Parameters.Add(new Dictionary<string, string> { ["shift"] = "2", ["why"] = "{{trigger}}" });
            await server.Retraining.SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest { Tenant = tenant, Name = "churn", Policy = policy, Reason = "close the loop" });

            // Drifted traffic: one window of 10,000 records, two standard deviations off the baseline.
            await TrafficAsync(server, tenant, "--shift", "2");
            var drift = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn", Windows = 1 });
            Assert.True(drift.Windows[0].Drifted, "the shifted window should drift");

            var promoted = await Eventually.Until(async () =>
            {
                var status = await server.Retraining.GetRetrainingStatusAsync(new GetRetrainingStatusRequest { Tenant = tenant, Name = "churn" });
                return status.History.Count > 0 && status.History[0].HasGatesPassed ? status : null;
            }, TimeSpan.FromSeconds(90), "the retraining run to end and its version to be gated");
            var retraining = promoted.History[0];
            Assert.True(retraining.Promoted, retraining.Message);
            Assert.Equal((RetrainingTriggerKind.Drift, RetrainingOutcome.Succeeded, 2), (retraining.Trigger.Kind, retraining.Outcome, retraining.Version));
            var version = await server.Models.GetModelVersionAsync(new GetModelVersionRequest { Tenant = tenant, Name = "churn", Version = "challenger" });
            Assert.Equal((2, retraining.RunId, "drift"), (version.Version, version.Spec.Source.RunId, version.Spec.Tags["trigger"]));
            var split = await server.Rollouts.GetTrafficSplitAsync(new GetTrafficSplitRequest { Deployment = new DeploymentRef { Tenant = tenant, Model = "churn" } });
            Assert.Equal((1, 2, 50), (split.ChampionVersion, split.ChallengerVersion, split.ChallengerPercent));

            // The split routes half the traffic to the challenger, which is more accurate: the rollout advances, then completes.
            await TrafficAsync(server, tenant, "--shift", "2", "--accuracy", "0.7", "--challenger-accuracy", "0.9", "--seed", "2");
            split = await server.Rollouts.GetTrafficSplitAsync(new GetTrafficSplitRequest { Deployment = new DeploymentRef { Tenant = tenant, Model = "churn" } });
            Assert.Equal((2, 100), (split.ChallengerVersion, split.ChallengerPercent));
            using (var scrape = new HttpClient())
            {
                var during = await scrape.GetStringAsync($"http://127.0.0.1:{server.HttpPort}/metrics");
                Assert.Contains($"orchestrator_rollout_challenger_percent{{tenant=\"{tenant}\",model=\"churn\",deployment=\"default\"}} 100", during, StringComparison.Ordinal);
            }
            await TrafficAsync(server, tenant, "--shift", "2", "--accuracy", "0.7", "--challenger-accuracy", "0.9", "--seed", "3");
            var champion = await server.Models.GetModelVersionAsync(new GetModelVersionRequest { Tenant = tenant, Name = "churn", Version = "champion" });
            Assert.Equal(2, champion.Version);

            // The monitor now compares traffic with the new champion's baseline. `traffic` draws from the champion's profile,
            // now version 2's (trained on data two deviations off), so --shift 0 is the same world as the shifted
            // traffic above: no drift any more.
            await TrafficAsync(server, tenant, "--shift", "0", "--seed", "4");
            drift = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn", Windows = 1 });
            Assert.Equal(2, drift.Version);
            Assert.False(drift.Windows[0].Drifted, "traffic like the new champion's training data should not drift");
            // Drift recorded during the rollout measured the old champion: dropped when the baseline changed, so no
            // second retraining fires when the cooldown ends.
            var after = await server.Retraining.GetRetrainingStatusAsync(new GetRetrainingStatusRequest { Tenant = tenant, Name = "churn" });
            Assert.Null(after.RecordedTrigger);
            Assert.Single(after.History);

            using var http = new HttpClient();
            var metrics = await http.GetStringAsync($"http://127.0.0.1:{server.HttpPort}/metrics");
            Assert.Contains($"orchestrator_retraining_runs_total{{tenant=\"{tenant}\",trigger=\"drift\",outcome=\"succeeded\"}} 1", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain($"orchestrator_rollout_challenger_percent{{tenant=\"{tenant}\"", metrics, StringComparison.Ordinal);
            var (exit, output) = await ProtocolTests.Promtool(metrics);
            Assert.True(exit == 0, $"promtool check metrics failed:\n{output}");

            var audit = await server.Models.GetAuditTrailAsync(new GetAuditTrailRequest { Tenant = tenant, Name = "churn", PageSize = 100 });
            var actions = audit.Entries.Reverse().Select(e => e.Action).ToList();
            ModelAuditAction[] expected =
            [
                ModelAuditAction.RetrainingTriggered, ModelAuditAction.RetrainingStarted, ModelAuditAction.VersionRegistered, ModelAuditAction.RetrainingFinished,
                ModelAuditAction.GatesPassed, ModelAuditAction.RolloutStarted, ModelAuditAction.RolloutAdvanced, ModelAuditAction.RolloutCompleted,
            ];
            var at = 0;
            foreach (var action in actions) if (at < expected.Length && action == expected[at]) at++;
            Assert.True(at == expected.Length, $"audit trail out of order: {string.Join(", ", audit.Entries.Reverse().Select(e => e.Summary))}");
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static async Task TrafficAsync(ServerProcess server, string tenant, params string[] options)
    {
        await using var cli = ChildProcess.StartDotnet(Repo.CliDll,
            ["--server", server.GrpcAddress, "--tenant", tenant, "models", "traffic", "churn", "--records", "10000", .. options]);
        var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, $"orch models traffic exited {exit}:\n{cli.Output}");
        Assert.Contains("1 window closed", cli.Output);
    }

    private static async Task RegisterChampionAsync(ServerProcess server, string tenant)
    {
        var random = new Random(5);
        var sample = Enumerable.Range(0, 2_000).Select(_ => Normal(random, 0)).Order().ToList();
        var tenure = new NumericFeatureProfile();
        tenure.BinEdges.AddRange(Enumerable.Range(1, 9).Select(k => sample[sample.Count * k / 10]));
        tenure.Proportions.AddRange(Enumerable.Repeat(0.1, 10));
        tenure.Sample.AddRange(sample.Where((_, i) => i % 2 == 0));
        var version = new ModelVersionSpec { Artifact = new ModelArtifact { Digest = new string('c', 64), SizeBytes = 10 }, Profile = new BaselineProfile() };
        version.Metrics["accuracy"] = 0.85;
        version.Profile.Numeric["tenure"] = tenure;
        await server.Models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = "churn", Version = version });
        await server.Models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = "churn", Alias = "champion", Version = "1" });
    }
}

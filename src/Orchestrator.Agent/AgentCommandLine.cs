using System.CommandLine;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Orchestrator.Execution.Agent;
using Orchestrator.Execution.Gpus;
using Orchestrator.Execution.Kubernetes;

namespace Orchestrator.Agent;

/// <summary>The agent's command line: options, their help, and what running it does.</summary>
internal static class AgentCommandLine
{
    private const string GatewayVariable = "ORCH_GATEWAY";

    private static readonly Option<string[]> Gateway = new("--gateway")
    {
        Description = $"Gateway URL to connect to, e.g. http://control-plane:5000. Repeat it to give fallbacks, tried in turn. Default: ${GatewayVariable} (comma-separated).",
        HelpName = "URL",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string?> Name = new("--name")
    {
        Description = "Node name: lowercase letters, digits, '-' and '.'. Default: this host's name, lowercased.",
        HelpName = "NAME",
    };

    private static readonly Option<string?> AdvertiseAddress = new("--advertise-address")
    {
        Description = "Host name or IP address at which the other nodes of a multi-node step reach this one (MASTER_ADDR). Default: this host's name.",
        HelpName = "HOST",
    };

    private static readonly Option<string[]> Label = new("--label")
    {
        Description = "A label the scheduler can select on, as key=value. Repeatable.",
        HelpName = "KEY=VALUE",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<int> SimulateGpus = new("--simulate-gpus")
    {
        Description = "Register N pretend GPUs instead of running nvidia-smi (for laptops and tests).",
        HelpName = "N",
    };

    private static readonly Option<string> GpuModel = new("--gpu-model")
    {
        Description = "Model name of the simulated GPUs.",
        HelpName = "NAME",
        DefaultValueFactory = _ => SimulatedGpus.DefaultModel,
    };

    private static readonly Option<string> WorkDir = new("--work-dir")
    {
        Description = "Directory for step workspaces (one per attempt, removed after each report).",
        HelpName = "DIR",
        DefaultValueFactory = _ => "./.orch-agent",
    };

    private static readonly Option<string?> LocalArtifacts = new("--local-artifacts")
    {
        Description = "Use the artifact store directory DIR, shared with the control plane, instead of uploading through the gateway.",
        HelpName = "DIR",
    };

    private static readonly Option<bool> KeepWorkspaces = new("--keep-workspaces")
    {
        Description = "Keep each attempt's directory after reporting it (for debugging a step).",
    };

    private static readonly Option<bool> ListGpus = new("--list-gpus")
    {
        Description = "Print the GPUs this agent would register, then exit (no gateway needed).",
    };

    private static readonly Option<string> Executor = new("--executor")
    {
        Description = "Where steps run: 'process' (OS processes on this machine) or 'kubernetes' (a pod per step, one session per GPU node of the cluster).",
        HelpName = "process|kubernetes",
        DefaultValueFactory = _ => "process",
    };

    private static readonly Option<string?> Namespace = new("--namespace")
    {
        Description = "Kubernetes executor: namespace for step pods. Default: the kubeconfig context's, else the service account's, else 'default'.",
        HelpName = "NS",
    };

    private static readonly Option<string?> Kubeconfig = new("--kubeconfig")
    {
        Description = "Kubernetes executor: kubeconfig file. Default: the in-cluster service account, else $KUBECONFIG or ~/.kube/config.",
        HelpName = "FILE",
    };

    private static readonly Option<string?> KubeApiServer = new("--kube-api-server")
    {
        Description = "Kubernetes executor: API server URL to use without credentials, e.g. http://127.0.0.1:8001 (kubectl proxy).",
        HelpName = "URL",
    };

    private static readonly Option<string?> WorkspaceClaim = new("--workspace-claim")
    {
        Description = "Kubernetes executor: a ReadWriteMany PersistentVolumeClaim mounted at --work-dir in the agent and in every step pod (inputs and outputs pass through it).",
        HelpName = "CLAIM",
    };

    /// <summary>The root command with every option and its action.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Orchestrator node agent: connects this machine to an Orchestrator control plane, registers its GPUs and runs " +
            "the steps assigned to it, each in its own process group, with CUDA_VISIBLE_DEVICES set to the GPUs it was given.")
        {
            Gateway, Name, AdvertiseAddress, Label, SimulateGpus, GpuModel, WorkDir, LocalArtifacts, KeepWorkspaces, ListGpus,
            Executor, Namespace, Kubeconfig, KubeApiServer, WorkspaceClaim,
        };
        Executor.AcceptOnlyFromAmong("process", "kubernetes");
        Label.Validators.Add(result =>
        {
            foreach (var label in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (SplitLabel(label) is null) result.AddError($"--label \"{label}\": write labels as key=value, e.g. --label zone=eu-1");
            }
        });
        SimulateGpus.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0) result.AddError("--simulate-gpus: give 0 or more GPUs");
        });
        root.Validators.Add(result =>
        {
            if (result.GetValue(ListGpus)) return;
            if (Gateways(result.GetValue(Gateway)).Count == 0)
            {
                result.AddError($"--gateway is required: give the control plane's URL, e.g. --gateway http://control-plane:5000 (or set {GatewayVariable})");
            }
        });
        root.Validators.Add(result =>
        {
            var kubernetes = result.GetValue(Executor) == "kubernetes";
            // Node names, GPUs and addresses come from the Node API in Kubernetes mode; the cluster options mean nothing without it.
            Option[] processOnly = [Name, AdvertiseAddress, SimulateGpus, ListGpus];
            Option[] kubernetesOnly = [Namespace, Kubeconfig, KubeApiServer, WorkspaceClaim];
            foreach (var option in kubernetes ? processOnly : kubernetesOnly)
            {
                if (result.GetResult(option) is { Implicit: false })
                {
                    result.AddError(kubernetes
                        ? $"{option.Name} does not apply to --executor kubernetes: nodes, their GPUs and addresses come from the Kubernetes Node API"
                        : $"{option.Name} applies only to --executor kubernetes; add --executor kubernetes, or leave {option.Name} out");
                }
            }
        });
        root.SetAction(RunAsync);
        return root;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(ListGpus)) return await PrintGpusAsync(parse, cancellationToken);
        var kubernetes = parse.GetValue(Executor) == "kubernetes";
        try
        {
            // Checked before the host exists so that a mistake reads as one line, not a hosting failure with a stack trace.
            var options = new AgentOptions();
            Configure(options, parse);
            AgentOptionsValidator.EnsureValid(options);
            var executor = new KubernetesExecutorOptions();
            ConfigureKubernetes(executor, parse);
            if (kubernetes && executor.Problems().ToList() is { Count: > 0 } problems)
            {
                throw new OptionsValidationException(nameof(KubernetesExecutorOptions), typeof(KubernetesExecutorOptions), problems);
            }
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures) await Console.Error.WriteLineAsync($"error: {failure}");
            return 2;
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        if (kubernetes)
        {
            builder.Services.AddKubernetesExecutor(options => Configure(options, parse), options => ConfigureKubernetes(options, parse));
        }
        else
        {
            builder.Services.AddNodeAgent(options => Configure(options, parse));
        }
        // Running steps get their kill grace to stop and be reported before the host gives up.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = new AgentOptions().KillGrace + TimeSpan.FromSeconds(10));
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
        return 0;
    }

    private static async Task<int> PrintGpusAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var options = new AgentOptions();
        Configure(options, parse);
        IGpuDiscovery discovery = options.SimulatedGpus > 0
            ? new SimulatedGpus(options.NodeName, options.SimulatedGpus, options.SimulatedGpuModel, options.SimulatedGpuMemoryBytes)
            : new NvidiaSmiGpuDiscovery();
        var gpus = await discovery.DiscoverAsync(cancellationToken);
        if (gpus.Count == 0) Console.WriteLine("no GPUs found");
        foreach (var gpu in gpus)
        {
            Console.WriteLine($"{gpu.Index}\t{gpu.Uuid}\t{gpu.Model}\t{gpu.MemoryBytes / (1024 * 1024)} MiB{(gpu.Simulated ? "\tsimulated" : "")}");
        }
        return 0;
    }

    private static void Configure(AgentOptions options, ParseResult parse)
    {
        options.Gateways.AddRange(Gateways(parse.GetValue(Gateway)));
        if (parse.GetValue(Name) is { } name) options.NodeName = name;
        if (parse.GetValue(AdvertiseAddress) is { } address) options.AdvertiseAddress = address;
        foreach (var label in parse.GetValue(Label) ?? [])
        {
            if (SplitLabel(label) is var (key, value)) options.Labels[key] = value;
        }
        options.SimulatedGpus = parse.GetValue(SimulateGpus);
        options.SimulatedGpuModel = parse.GetValue(GpuModel) ?? SimulatedGpus.DefaultModel;
        options.WorkDirectory = parse.GetValue(WorkDir) ?? "./.orch-agent";
        options.LocalArtifactsDirectory = parse.GetValue(LocalArtifacts);
        options.KeepWorkspaces = parse.GetValue(KeepWorkspaces);
    }

    private static void ConfigureKubernetes(KubernetesExecutorOptions options, ParseResult parse)
    {
        options.Namespace = parse.GetValue(Namespace);
        options.KubeconfigPath = parse.GetValue(Kubeconfig);
        options.ApiServer = parse.GetValue(KubeApiServer);
        options.WorkspaceClaim = parse.GetValue(WorkspaceClaim);
    }

    private static List<string> Gateways(string[]? fromCommandLine) =>
        fromCommandLine is { Length: > 0 }
            ? [.. fromCommandLine]
            : [.. (Environment.GetEnvironmentVariable(GatewayVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static (string Key, string Value)? SplitLabel(string label)
    {
        var equals = label.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (label[..equals].Trim(), label[(equals + 1)..].Trim()) : null;
    }
}

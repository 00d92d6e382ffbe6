using System.Net;
using System.Text;
using System.Threading.Channels;

using k8s;
using k8s.Models;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Testing.Kubernetes;

/// <summary>A stand-in for the Kubernetes API server (none runs here): Kestrel on a free loopback port speaking the
/// API's JSON for exactly the calls the executor makes (create/list/watch/get/delete pods, follow a pod's log,
/// list/watch nodes). It keeps objects in memory, records every request, and lets a test play the kubelet.</summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Channel<byte[]>> _logs = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly CancellationTokenSource _closing = new();
    private WebApplication _app = null!;
    private long _version = 100;

    private FakeKubernetesApi()
    {
    }

    /// <summary>The server's URL, for <c>KubernetesClientConfiguration.Host</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary>Every request received: method, path, query string.</summary>
    public List<ApiRequest> Requests { get; } = [];

    /// <summary>Every pod deletion: pod name and the grace period asked for.</summary>
    public List<(string Pod, long? GracePeriodSeconds)> Deletions { get; } = [];

    /// <summary>Pods created so far, in order (including deleted ones).</summary>
    public List<V1Pod> Created { get; } = [];

    /// <summary>Starts the server.</summary>
    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var api = new FakeKubernetesApi();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            lock (api.Requests) api.Requests.Add(new ApiRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? ""));
            await next(context);
        });
        app.MapGet("/api/v1/nodes", api.ListOrWatchNodesAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods", api.ListOrWatchPodsAsync);
        app.MapPost("/api/v1/namespaces/{ns}/pods", api.CreatePodAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", api.GetPodAsync);
        app.MapDelete("/api/v1/namespaces/{ns}/pods/{name}", api.DeletePodAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", api.FollowLogAsync);
        api._app = app;
        await app.StartAsync();
        api.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return api;
    }

    /// <summary>A client of this server.</summary>
    public IKubernetes Client() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Address });

    /// <summary>The pod named <paramref name="name"/> as stored now, or null.</summary>
    public V1Pod? Pod(string name)
    {
        lock (_gate) return _pods.GetValueOrDefault(name);
    }

    /// <summary>Waits (at most 15 s) until a pod has been created and returns the first one created.</summary>
    public async Task<V1Pod> CreatedPodAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            lock (_gate)
            {
                if (Created.Count > 0) return Created[0];
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for a pod to be created");
            await Task.Delay(20);
        }
    }

    /// <summary>Plays a kubelet whose containers print <paramref name="logLine"/> and exit 0: every pod created from
    /// now on runs and succeeds. Stops with the server.</summary>
    public void CompleteEveryPod(string logLine)
    {
        _ = Task.Run(async () =>
        {
            var done = new HashSet<string>(StringComparer.Ordinal);
            while (!_closing.IsCancellationRequested)
            {
                List<string> fresh;
                lock (_gate) fresh = _pods.Keys.Where(done.Add).ToList();
                foreach (var pod in fresh)
                {
                    Run(pod);
                    Log(pod, logLine);
                    Exit(pod, 0);
                }
                await Task.Delay(20);
            }
        });
    }

    /// <summary>Plays the kubelet: the container runs.</summary>
    public void Run(string pod) => Update(pod, p =>
    {
        p.Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "True" }],
            ContainerStatuses = [new V1ContainerStatus { Name = "step", Image = p.Spec.Containers[0].Image, State = new V1ContainerState { Running = new V1ContainerStateRunning() } }],
        };
    });

    /// <summary>Plays the kubelet: the container exits with <paramref name="exitCode"/>; the log ends.</summary>
    public void Exit(string pod, int exitCode, string? reason = null)
    {
        Update(pod, p =>
        {
            p.Status = new V1PodStatus
            {
                Phase = exitCode == 0 ? "Succeeded" : "Failed",
                ContainerStatuses =
                [
                    new V1ContainerStatus
                    {
                        Name = "step",
                        Image = p.Spec.Containers[0].Image,
                        State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = exitCode, Reason = reason ?? (exitCode == 0 ? "Completed" : "Error") } },
                    },
                ],
            };
        });
        EndLog(pod);
    }

    /// <summary>Plays the kubelet: the container waits for <paramref name="reason"/> (ImagePullBackOff, ...).</summary>
    public void Wait(string pod, string reason, string message) => Update(pod, p =>
    {
        p.Status = new V1PodStatus
        {
            Phase = "Pending",
            ContainerStatuses = [new V1ContainerStatus { Name = "step", Image = p.Spec.Containers[0].Image, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } } }],
        };
    });

    /// <summary>Plays the scheduler: the pod cannot be placed.</summary>
    public void Unschedulable(string pod, string message) => Update(pod, p =>
    {
        p.Status = new V1PodStatus
        {
            Phase = "Pending",
            Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = message }],
        };
    });

    /// <summary>Plays the container: writes to its log.</summary>
    public void Log(string pod, string text)
    {
        lock (_gate) LogChannel(pod).Writer.TryWrite(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Adds or replaces a node (ADDED or MODIFIED for watchers).</summary>
    public void PutNode(V1Node node)
    {
        lock (_gate)
        {
            var type = _nodes.ContainsKey(node.Metadata.Name) ? "MODIFIED" : "ADDED";
            node.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _nodes[node.Metadata.Name] = node;
            PublishLocked(new WatchEvent(_version, type, "nodes", node.Metadata.Name, KubernetesJson.Serialize(node)));
        }
    }

    /// <summary>Deletes a node (DELETED for watchers).</summary>
    public void DeleteNode(string name)
    {
        lock (_gate)
        {
            if (!_nodes.Remove(name, out var node)) return;
            node.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            PublishLocked(new WatchEvent(_version, "DELETED", "nodes", name, KubernetesJson.Serialize(node)));
        }
    }

    /// <summary>A Ready GPU node as the NVIDIA device plugin and GPU feature discovery describe it.</summary>
    public static V1Node GpuNode(string name, int gpus, Dictionary<string, string>? labels = null, bool ready = true, bool cordoned = false)
    {
        var allLabels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name, ["nvidia.com/gpu.product"] = "NVIDIA-H100-80GB-HBM3", ["nvidia.com/gpu.memory"] = "81559" };
        foreach (var (key, value) in labels ?? []) allLabels[key] = value;
        var allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("32"), ["memory"] = new("256Gi") };
        if (gpus > 0) allocatable["nvidia.com/gpu"] = new(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = name, Labels = allLabels },
            Spec = new V1NodeSpec { Unschedulable = cordoned },
            Status = new V1NodeStatus
            {
                Allocatable = allocatable,
                Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "10.0.0." + (name.Length % 200 + 10) }],
                Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False", Reason = ready ? "KubeletReady" : "KubeletNotReady" }],
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        lock (_gate)
        {
            foreach (var log in _logs.Values) log.Writer.TryComplete();
            foreach (var watcher in _watchers) watcher.Events.Writer.TryComplete();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        _closing.Dispose();
    }

    private void Update(string name, Action<V1Pod> change)
    {
        lock (_gate)
        {
            var pod = _pods[name];
            change(pod);
            pod.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            PublishLocked(new WatchEvent(_version, "MODIFIED", "pods", name, KubernetesJson.Serialize(pod)));
        }
    }

    private void EndLog(string pod)
    {
        lock (_gate) LogChannel(pod).Writer.TryComplete();
    }

    private Channel<byte[]> LogChannel(string pod)
    {
        if (!_logs.TryGetValue(pod, out var channel)) _logs[pod] = channel = Channel.CreateUnbounded<byte[]>();
        return channel;
    }

    private void PublishLocked(WatchEvent e)
    {
        _history.Add(e);
        foreach (var watcher in _watchers.Where(w => w.Matches(e))) watcher.Events.Writer.TryWrite(e);
    }

    private async Task CreatePodAsync(HttpContext context, string ns)
    {
        var pod = KubernetesJson.Deserialize<V1Pod>(await new StreamReader(context.Request.Body).ReadToEndAsync());
        string json;
        lock (_gate)
        {
            if (_pods.ContainsKey(pod.Metadata.Name))
            {
                context.Response.StatusCode = StatusCodes.Status409Conflict;
                json = KubernetesJson.Serialize(new V1Status { Kind = "Status", Status = "Failure", Reason = "AlreadyExists", Code = 409, Message = $"pods \"{pod.Metadata.Name}\" already exists" });
            }
            else
            {
                pod.Metadata.NamespaceProperty = ns;
                pod.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
                pod.Status = new V1PodStatus { Phase = "Pending" };
                _pods[pod.Metadata.Name] = pod;
                Created.Add(pod);
                json = KubernetesJson.Serialize(pod);
                PublishLocked(new WatchEvent(_version, "ADDED", "pods", pod.Metadata.Name, json));
                context.Response.StatusCode = StatusCodes.Status201Created;
            }
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    private async Task GetPodAsync(HttpContext context, string ns, string name)
    {
        var pod = Pod(name);
        if (pod is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(KubernetesJson.Serialize(pod));
    }

    private async Task DeletePodAsync(HttpContext context, string ns, string name)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        long? grace = body.Length > 0 ? KubernetesJson.Deserialize<V1DeleteOptions>(body).GracePeriodSeconds : null;
        if (grace is null && long.TryParse(context.Request.Query["gracePeriodSeconds"], out var fromQuery)) grace = fromQuery;
        string json;
        lock (_gate)
        {
            Deletions.Add((name, grace));
            if (!_pods.Remove(name, out var pod))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            pod.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            json = KubernetesJson.Serialize(pod);
            PublishLocked(new WatchEvent(_version, "DELETED", "pods", name, json));
            LogChannel(name).Writer.TryComplete();
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    private async Task FollowLogAsync(HttpContext context, string ns, string name)
    {
        Channel<byte[]> log;
        lock (_gate) log = LogChannel(name);
        context.Response.ContentType = "text/plain";
        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _closing.Token);
        try
        {
            await foreach (var chunk in log.Reader.ReadAllAsync(end.Token))
            {
                await context.Response.Body.WriteAsync(chunk, end.Token);
                await context.Response.Body.FlushAsync(end.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the server is closing.
        }
    }

    private Task ListOrWatchNodesAsync(HttpContext context) => ListOrWatchAsync(context, "nodes", null, "NodeList");

    private Task ListOrWatchPodsAsync(HttpContext context, string ns) => ListOrWatchAsync(context, "pods", ns, "PodList");

    private async Task ListOrWatchAsync(HttpContext context, string kind, string? ns, string listKind)
    {
        var fieldSelector = context.Request.Query["fieldSelector"].ToString();
        var name = fieldSelector.StartsWith("metadata.name=", StringComparison.Ordinal) ? fieldSelector["metadata.name=".Length..] : null;
        context.Response.ContentType = "application/json";
        if (context.Request.Query["watch"] != "true")
        {
            string list;
            lock (_gate)
            {
                var items = kind == "nodes"
                    ? string.Join(",", _nodes.Values.Where(n => name is null || n.Metadata.Name == name).Select(o => KubernetesJson.Serialize(o)))
                    : string.Join(",", _pods.Values.Where(p => name is null || p.Metadata.Name == name).Select(o => KubernetesJson.Serialize(o)));
                list = $$"""{"apiVersion":"v1","kind":"{{listKind}}","metadata":{"resourceVersion":"{{_version}}"},"items":[{{items}}]}""";
            }
            await context.Response.WriteAsync(list);
            return;
        }
        var since = long.TryParse(context.Request.Query["resourceVersion"], out var version) ? version : 0;
        var watcher = new Watcher(kind, name);
        lock (_gate)
        {
            foreach (var e in _history.Where(e => e.Version > since && watcher.Matches(e))) watcher.Events.Writer.TryWrite(e);
            _watchers.Add(watcher);
        }
        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _closing.Token);
        try
        {
            await context.Response.StartAsync(end.Token);
            await foreach (var e in watcher.Events.Reader.ReadAllAsync(end.Token))
            {
                await context.Response.WriteAsync($$"""{"type":"{{e.Type}}","object":{{e.Json}}}""" + "\n", end.Token);
                await context.Response.Body.FlushAsync(end.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client closed the watch or the server is closing.
        }
        finally
        {
            lock (_gate) _watchers.Remove(watcher);
        }
    }

    /// <summary>One request as the server saw it.</summary>
    public sealed record ApiRequest(string Method, string Path, string Query)
    {
        /// <summary>The RBAC (apiGroup, resource, verb) this request needs, as the API server's authorizer computes it.</summary>
        public (string ApiGroup, string Resource, string Verb) Authorization()
        {
            var segments = Path.Trim('/').Split('/');
            // /api/v1/nodes[/NAME] or /api/v1/namespaces/NS/pods[/NAME[/SUBRESOURCE]]
            var rest = segments.Length > 3 && segments[2] == "namespaces" ? segments[4..] : segments[2..];
            var resource = rest.Length > 2 ? $"{rest[0]}/{rest[2]}" : rest[0];
            var isItem = rest.Length > 1;
            var watch = Query.Contains("watch=true", StringComparison.Ordinal);
            var verb = Method switch
            {
                "POST" => "create",
                "DELETE" => "delete",
                "GET" when watch => "watch",
                "GET" when !isItem => "list",
                "GET" => "get",
                _ => Method.ToLowerInvariant(),
            };
            return ("", resource, verb);
        }
    }

    private sealed record WatchEvent(long Version, string Type, string Kind, string Name, string Json);

    private sealed class Watcher(string kind, string? name)
    {
        public Channel<WatchEvent> Events { get; } = Channel.CreateUnbounded<WatchEvent>();

        public bool Matches(WatchEvent e) => e.Kind == kind && (name is null || e.Name == name);
    }
}

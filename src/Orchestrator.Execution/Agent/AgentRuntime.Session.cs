using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Agent;

/// <summary>The connection half of the agent: one <c>Connect</c> stream at a time, its single writer and its heartbeats.</summary>
public sealed partial class AgentRuntime
{
    /// <summary>Runs one connection until it ends; says whether the gateway accepted the registration, and why it ended.</summary>
    private async Task<(bool Registered, string Reason)> RunSessionAsync(string gateway, CancellationToken stoppingToken)
    {
        var channel = _channels.For(gateway);
        using var sessionEnd = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var call = new NodeService.NodeServiceClient(channel).Connect(cancellationToken: sessionEnd.Token);
        var session = new GatewaySession();
        lock (_gate)
        {
            session.Enqueue(new AgentMessage { Register = RegistrationLocked() });
            foreach (var report in _outbox.InOrder) session.Enqueue(report);
            _session = session;
            _channels.Current = channel;
        }
        var writer = WriteAsync(session, call.RequestStream, sessionEnd);
        Task heartbeats = Task.CompletedTask;
        var registered = false;
        Exception? failure = null;
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(sessionEnd.Token).ConfigureAwait(false))
            {
                switch (message.BodyCase)
                {
                    case ControlMessage.BodyOneofCase.Registered when !registered:
                        registered = true;
                        OnRegistered(gateway, message.Registered);
                        var interval = message.Registered.HeartbeatIntervalMs > 0
                            ? TimeSpan.FromMilliseconds(message.Registered.HeartbeatIntervalMs)
                            : _options.HeartbeatInterval;
                        heartbeats = HeartbeatAsync(session, interval, sessionEnd.Token);
                        break;
                    case ControlMessage.BodyOneofCase.Assign:
                        OnAssign(message.Assign);
                        break;
                    case ControlMessage.BodyOneofCase.Cancel:
                        OnCancel(message.Cancel);
                        break;
                    case ControlMessage.BodyOneofCase.Ack:
                        OnAck(message.Ack.ReportId);
                        break;
                    default:
                        ExecutionLog.UnexpectedMessage(_logger, message.BodyCase.ToString());
                        break;
                }
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            failure = e;
        }
        finally
        {
            lock (_gate)
            {
                if (_session == session) _session = null;
            }
            session.Complete();
            await sessionEnd.CancelAsync().ConfigureAwait(false);
            await heartbeats.ConfigureAwait(false);
        }
        var writeFailure = await writer.ConfigureAwait(false);
        var reason = writeFailure ?? failure switch
        {
            null => "the gateway closed the stream",
            RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
            _ => failure.Message,
        };
        return (registered, reason);
    }

    /// <summary>Runs the session's writer; returns why writing failed, or null when the session simply ended.</summary>
    private static async Task<string?> WriteAsync(GatewaySession session, IClientStreamWriter<AgentMessage> stream, CancellationTokenSource sessionEnd)
    {
        try
        {
            await session.RunWriterAsync(stream, sessionEnd.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (!sessionEnd.IsCancellationRequested)
        {
            return $"writing to the gateway failed: {(e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message)}";
        }
        catch (Exception)
        {
            return null;
        }
        finally
        {
            // A stream that cannot be written is useless for reading too: end the session and reconnect.
            await sessionEnd.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task HeartbeatAsync(GatewaySession session, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                HashSet<int> busy;
                lock (_gate) busy = _steps.Values.Where(s => s.FinishedReportId is null).SelectMany(s => s.GpuIndices).ToHashSet();
                var samples = await _gpuDiscovery.SampleAsync(busy, cancellationToken).ConfigureAwait(false);
                var heartbeat = new Heartbeat();
                heartbeat.Gpus.AddRange(samples.Select(s => new GpuSample { Index = s.Index, Utilization = s.Utilization, MemoryUsedBytes = s.MemoryUsedBytes }));
                session.Enqueue(new AgentMessage { Heartbeat = heartbeat });
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
    }
}

using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Tests.Support;

/// <summary>The fake gateway's NodeService: records agent messages, answers register, and acks reports when told to.</summary>
public sealed class FakeNodeService(FakeGateway gateway) : NodeService.NodeServiceBase
{
    public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControlMessage> responseStream, ServerCallContext context)
    {
        var connection = new FakeAgentConnection(responseStream, context.GetHttpContext());
        gateway.Add(connection);
        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, connection.Dropped);
        try
        {
            await foreach (var message in requestStream.ReadAllAsync(end.Token))
            {
                connection.Record(message);
                switch (message.BodyCase)
                {
                    case AgentMessage.BodyOneofCase.Register:
                        await connection.SendAsync(new ControlMessage
                        {
                            Registered = new Registered { Node = message.Register.Node, HeartbeatIntervalMs = gateway.HeartbeatIntervalMs, LeaseMs = 30_000 },
                        });
                        break;
                    case AgentMessage.BodyOneofCase.StepStarted when gateway.AutoAck:
                        await connection.AckAsync(message.StepStarted.ReportId);
                        break;
                    case AgentMessage.BodyOneofCase.StepFinished when gateway.AutoAck:
                        await connection.AckAsync(message.StepFinished.ReportId);
                        break;
                }
            }
        }
        catch (Exception) when (end.IsCancellationRequested)
        {
            // Dropped by the test, or the agent went away.
        }
        catch (IOException)
        {
            // The agent's connection broke.
        }
        finally
        {
            connection.End();
        }
    }
}

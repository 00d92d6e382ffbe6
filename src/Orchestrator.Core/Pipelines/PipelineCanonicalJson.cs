using System.Text.Encodings.Web;
using System.Text.Json;

namespace Orchestrator.Core.Pipelines;

/// <summary>Writes a spec as canonical JSON: keys sorted, map entries sorted by key, lists in order, unset fields omitted.</summary>
/// <remarks>
/// Proto3 cannot tell an empty string or zero from an unset field, so those are omitted too: a spec keeps its digest
/// through a round trip over gRPC. A parameter default is the exception (an empty default differs from none).
/// </remarks>
internal static class PipelineCanonicalJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(PipelineSpec spec)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            WriteValue(writer, Pipeline(spec));
        }

        return buffer.ToArray();
    }

    private static SortedDictionary<string, object> Pipeline(PipelineSpec spec)
    {
        var node = NewObject();
        Put(node, "name", spec.Name);
        Put(node, "description", spec.Description);
        Put(node, "parameters", spec.Parameters.Select(object (p) => Parameter(p)).ToList());
        Put(node, "steps", spec.Steps.Select(object (s) => Step(s)).ToList());
        if (spec.ExitHandler is not null) Put(node, "exit_handler", Step(spec.ExitHandler));
        if (spec.Cache is { } cache) node["cache"] = cache;
        return node;
    }

    private static SortedDictionary<string, object> Parameter(ParameterSpec parameter)
    {
        var node = NewObject();
        Put(node, "name", parameter.Name);
        node["type"] = ParameterValues.TypeName(parameter.Type);
        if (parameter.Default is not null) node["default"] = parameter.Default;
        Put(node, "description", parameter.Description);
        return node;
    }

    private static SortedDictionary<string, object> Step(StepSpec step)
    {
        var node = NewObject();
        Put(node, "name", step.Name);
        Put(node, "command", step.Command.Cast<object>().ToList());
        Put(node, "image", step.Image);
        Put(node, "env", Map(step.Env));
        Put(node, "inputs", Map(step.Inputs));
        Put(node, "outputs", step.Outputs.Cast<object>().ToList());
        var resources = NewObject();
        Put(resources, "cpu", step.Resources.Cpu);
        Put(resources, "memory", step.Resources.Memory);
        if (step.Resources.Gpus != 0) resources["gpus"] = (long)step.Resources.Gpus;
        Put(resources, "gpu_model", step.Resources.GpuModel);
        Put(resources, "pools", step.Resources.Pools.Cast<object>().ToList());
        // 0 and 1 both mean one process: the same pipeline, the same digest.
        if (step.Resources.Replicas > 1) resources["replicas"] = (long)step.Resources.Replicas;
        Put(node, "resources", resources);
        var retry = NewObject();
        if (step.Retry.Limit != 0) retry["limit"] = (long)step.Retry.Limit;
        Put(retry, "backoff", step.Retry.Backoff);
        if (step.Retry.Factor != 0) retry["factor"] = step.Retry.Factor;
        Put(retry, "max_backoff", step.Retry.MaxBackoff);
        Put(node, "retry", retry);
        Put(node, "timeout", step.Timeout);
        Put(node, "expected_duration", step.ExpectedDuration);
        Put(node, "when", step.When);
        Put(node, "foreach", step.Foreach);
        Put(node, "after", step.After.Cast<object>().ToList());
        if (step.Cache is { } cache) node["cache"] = cache;
        if (step.Register is { } register) node["register"] = Register(register);
        return node;
    }

    private static SortedDictionary<string, object> Register(RegisterSpec register)
    {
        var node = NewObject();
        Put(node, "model", register.Model);
        Put(node, "artifact", register.Artifact);
        Put(node, "metrics", register.Metrics);
        Put(node, "profile", register.Profile);
        Put(node, "parameters", Map(register.Parameters));
        Put(node, "tags", Map(register.Tags));
        Put(node, "training_data", register.TrainingData);
        Put(node, "alias", register.Alias);
        return node;
    }

    private static SortedDictionary<string, object> Map(IReadOnlyDictionary<string, string> map)
    {
        var node = NewObject();
        foreach (var (key, value) in map) node[key] = value;
        return node;
    }

    private static SortedDictionary<string, object> NewObject() => new(StringComparer.Ordinal);

    private static void Put(SortedDictionary<string, object> node, string key, object value)
    {
        var isUnset = value switch
        {
            string text => text.Length == 0,
            List<object> list => list.Count == 0,
            SortedDictionary<string, object> map => map.Count == 0,
            _ => false,
        };
        if (!isUnset) node[key] = value;
    }

    private static void WriteValue(Utf8JsonWriter writer, object value)
    {
        switch (value)
        {
            case string text: writer.WriteStringValue(text); break;
            case bool flag: writer.WriteBooleanValue(flag); break;
            case long integer: writer.WriteNumberValue(integer); break;
            // JSON has no NaN or Infinity; the validator refuses them, but the canonical form must still be writable.
            case double number when !double.IsFinite(number): writer.WriteStringValue(number.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case double number: writer.WriteNumberValue(number); break;
            case List<object> list:
                writer.WriteStartArray();
                foreach (var item in list) WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            case SortedDictionary<string, object> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            default: throw new InvalidOperationException("unexpected value " + value.GetType());
        }
    }
}

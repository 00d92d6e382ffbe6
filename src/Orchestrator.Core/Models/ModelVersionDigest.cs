using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Core.Models;

/// <summary>A digest of a version's content, so that a retried registration can be told from a different one.</summary>
public static class ModelVersionDigest
{
    /// <summary>sha256 (hex) of the spec written canonically: every map ordered by key.</summary>
    public static string Of(ModelVersionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("artifact", $"{spec.Artifact.Digest}|{spec.Artifact.SizeBytes}|{spec.Artifact.Uri}");
            json.WriteString("source", $"{spec.Source.RunId}|{spec.Source.StepKey}|{spec.Source.Pipeline}|{spec.Source.PipelineVersion}");
            Map(json, "parameters", spec.Parameters, (w, v) => w.WriteStringValue(v));
            Map(json, "metrics", spec.Metrics, (w, v) => w.WriteNumberValue(v));
            json.WriteString("data", spec.TrainingDataDigest);
            Map(json, "tags", spec.Tags, (w, v) => w.WriteStringValue(v));
            Map(json, "numeric", spec.Profile.Numeric, (w, f) =>
            {
                w.WriteStartArray();
                Numbers(w, f.BinEdges);
                Numbers(w, f.Proportions);
                Numbers(w, f.Sample);
                w.WriteEndArray();
            });
            Map(json, "categorical", spec.Profile.Categorical, (w, f) =>
            {
                w.WriteStartArray();
                w.WriteNumberValue(f.Count);
                foreach (var (k, v) in f.Frequencies.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    w.WriteStringValue(k);
                    w.WriteNumberValue(v);
                }

                w.WriteEndArray();
            });
            json.WriteString("description", spec.Description);
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static void Map<T>(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, T> map, Action<Utf8JsonWriter, T> write)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.WritePropertyName(key);
            write(json, value);
        }

        json.WriteEndObject();
    }

    private static void Numbers(Utf8JsonWriter json, IReadOnlyList<double> values)
    {
        json.WriteStartArray();
        foreach (var value in values) json.WriteNumberValue(value);
        json.WriteEndArray();
    }
}

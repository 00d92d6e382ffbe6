using System.Text.Json;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>The scipy reference values in <c>../shared/fixtures/drift/scipy_reference.json</c> beside the repository.</summary>
internal static class DriftFixtures
{
    /// <summary>The fixture file.</summary>
    public static string Path { get; } = Find();

    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllText(Find())));

    /// <summary>The numeric cases (samples and every statistic).</summary>
    public static IEnumerable<NumericCase> Numeric =>
        Document.Value.RootElement.GetProperty("numeric").EnumerateArray().Select(c => new NumericCase(
            c.GetProperty("name").GetString()!,
            Doubles(c, "reference"),
            Doubles(c, "current"),
            c));

    /// <summary>The categorical cases (count rows and every statistic).</summary>
    public static IEnumerable<CategoricalCase> Categorical =>
        Document.Value.RootElement.GetProperty("categorical").EnumerateArray().Select(c => new CategoricalCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("reference_counts").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
            c.GetProperty("current_counts").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
            c));

    /// <summary>Theory data: one row per numeric case name.</summary>
    public static TheoryData<string> NumericNames => [.. Numeric.Select(c => c.Name)];

    /// <summary>Theory data: one row per categorical case name.</summary>
    public static TheoryData<string> CategoricalNames => [.. Categorical.Select(c => c.Name)];

    public static NumericCase NumericCase(string name) => Numeric.Single(c => c.Name == name);

    public static CategoricalCase CategoricalCase(string name) => Categorical.Single(c => c.Name == name);

    private static double[] Doubles(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Orchestrator.sln")))
            {
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "fixtures", "drift", "scipy_reference.json"));
            }
        }

        throw new InvalidOperationException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>One numeric fixture case.</summary>
internal sealed record NumericCase(string Name, double[] Reference, double[] Current, JsonElement Expected)
{
    public double Value(string key) => Expected.GetProperty(key).GetDouble();

    public double[] Values(string key) => Expected.GetProperty(key).EnumerateArray().Select(e => e.GetDouble()).ToArray();
}

/// <summary>One categorical fixture case.</summary>
internal sealed record CategoricalCase(string Name, long[] ReferenceCounts, long[] CurrentCounts, JsonElement Expected)
{
    public double Value(string key) => Expected.GetProperty(key).GetDouble();
}

using System.Globalization;
using System.Text.Json;

using Orchestrator.Cli.Tests.Support;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch drift compare (no server): the fixture's samples written to files give scipy's values in the
/// JSON, the table shows every statistic with its threshold and the decision, CSV columns and categories work, and bad
/// input gets a clear error with exit code 2.</summary>
public sealed class DriftCompareCommandTests : IDisposable
{
    private static readonly string FixturePath = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "fixtures", "drift", "scipy_reference.json"));
    private readonly string _folder = Directory.CreateTempSubdirectory("orch-drift-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> NumericCases => [.. Fixture().RootElement.GetProperty("numeric").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    public static TheoryData<string> CategoricalCases => [.. Fixture().RootElement.GetProperty("categorical").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(NumericCases))]
    public async Task Compare_FixtureSamples_JsonEqualsScipy(string name)
    {
        var c = Fixture().RootElement.GetProperty("numeric").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var reference = Write("ref.txt", c.GetProperty("reference").EnumerateArray().Select(v => v.GetDouble().ToString("R", CultureInfo.InvariantCulture)));
        var current = Write("cur.txt", c.GetProperty("current").EnumerateArray().Select(v => v.GetDouble().ToString("R", CultureInfo.InvariantCulture)));

        var result = await CliHarness.RunAsync(null, "drift", "compare", "--reference", reference, "--current", current, "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Close(c, "ks_statistic", root, "ks_statistic", 1e-9);
        Close(c, "ks_pvalue_exact", root, "ks_pvalue", 1e-6);
        Close(c, "psi_deciles_floor_1e4", root, "psi", 1e-9);
        Close(c, "js_distance_base2_deciles", root, "js_distance", 1e-9);
        Close(c, "wasserstein", root, "wasserstein", 1e-9);
        Assert.False(root.TryGetProperty("chi2_pvalue", out _));
        Assert.Equal("exact", root.GetProperty("ks_method").GetString());
        // Drift under the defaults: any of KS p < 0.05, PSI >= 0.2, JS >= 0.1, Wasserstein/std >= 0.1.
        var expectedDrift = c.GetProperty("ks_pvalue_exact").GetDouble() < 0.05 || c.GetProperty("psi_deciles_floor_1e4").GetDouble() >= 0.2
            || c.GetProperty("js_distance_base2_deciles").GetDouble() >= 0.1 || root.GetProperty("wasserstein_normalized").GetDouble() >= 0.1;
        Assert.Equal(expectedDrift, root.GetProperty("drift").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(CategoricalCases))]
    public async Task Compare_Categorical_FromACsvColumn_JsonEqualsScipy(string name)
    {
        var c = Fixture().RootElement.GetProperty("categorical").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var reference = Write("ref.csv", Csv(c.GetProperty("reference_counts")));
        var current = Write("cur.csv", Csv(c.GetProperty("current_counts")));

        var result = await CliHarness.RunAsync(null, "drift", "compare", "--reference", reference, "--current", current, "--column", "plan", "--categorical", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Close(c, "chi2_statistic", root, "chi2_statistic", 1e-9);
        Close(c, "chi2_pvalue", root, "chi2_pvalue", 1e-6);
        Close(c, "psi_floor_1e4", root, "psi", 1e-9);
        Close(c, "js_distance_base2", root, "js_distance", 1e-9);
        Assert.False(root.TryGetProperty("ks_pvalue", out _));
        Assert.Equal(name == "new_category_appears", root.GetProperty("drift").GetBoolean());
    }

    [Fact]
    public async Task Compare_Table_ShowsEachStatisticThresholdAndTheDecision()
    {
        var reference = Write("ref.txt", Enumerable.Range(0, 200).Select(i => (i / 10.0).ToString(CultureInfo.InvariantCulture)));
        var current = Write("cur.txt", Enumerable.Range(0, 200).Select(i => ((i / 10.0) + 5).ToString(CultureInfo.InvariantCulture)));

        var result = await CliHarness.RunAsync(null, "drift", "compare", "--reference", reference, "--current", current);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdoutLines;
        Assert.StartsWith("numeric: reference 200 values", lines[0]);
        Assert.Matches(@"^STATISTIC\s+VALUE\s+THRESHOLD\s+DRIFTED$", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("ks_pvalue", StringComparison.Ordinal) && l.Contains("< 0.05") && l.EndsWith("yes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("psi ", StringComparison.Ordinal) && l.Contains(">= 0.2") && l.EndsWith("yes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("wasserstein_normalized", StringComparison.Ordinal) && l.Contains(">= 0.1"));
        Assert.StartsWith("drift: yes", lines[^1]);
    }

    [Fact]
    public async Task Compare_SameSample_DoesNotDrift()
    {
        var values = Enumerable.Range(0, 300).Select(i => Math.Sin(i).ToString("R", CultureInfo.InvariantCulture)).ToList();
        var reference = Write("ref.txt", values);
        var current = Write("cur.txt", values);

        var result = await CliHarness.RunAsync(null, "drift", "compare", "--reference", reference, "--current", current, "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.False(json.RootElement.GetProperty("drift").GetBoolean());
        Assert.Equal(0.0, json.RootElement.GetProperty("ks_statistic").GetDouble());
        Assert.Equal(1.0, json.RootElement.GetProperty("ks_pvalue").GetDouble());
    }

    [Fact]
    public async Task Compare_NonNumericValue_NamesTheFileAndLine()
    {
        var reference = Write("ref.txt", ["1.5", "", "2.5", "abc", "3"]);
        var current = Write("cur.txt", ["1", "2"]);

        var result = await CliHarness.RunAsync(null, "drift", "compare", "--reference", reference, "--current", current);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"--reference '{reference}': line 4: 'abc' is not a finite number", result.Stderr);
        Assert.Contains("--categorical", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Compare_UnknownColumn_ListsTheHeader()
    {
        var reference = Write("ref.csv", ["id,age,plan", "1,30,pro", "2,41,free"]);
        var current = Write("cur.csv", ["id,age,plan", "3,25,pro"]);

        var result = await CliHarness.RunAsync(null, "drift", "compare", "--reference", reference, "--current", current, "--column", "income");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("no column 'income' in the header; its columns are 'id', 'age', 'plan'", result.Stderr);
    }

    [Fact]
    public async Task Compare_CsvColumn_ReadsQuotedFieldsAndSkipsEmptyCells()
    {
        var reference = Write("ref.csv", ["name,age", "\"Smith, J\",30", "x,", "y,40"]);
        var current = Write("cur.csv", ["name,age", "\"Doe, \"\"A\"\"\",31", "z,39"]);

        var result = await CliHarness.RunAsync(null, "drift", "compare", "--reference", reference, "--current", current, "--column", "age", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("reference_count").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("current_count").GetInt32());
    }

    [Fact]
    public async Task Compare_MissingFileOrEmptySample_ExitsTwo_NamingIt()
    {
        var missing = Path.Combine(_folder, "missing.txt");
        var empty = Write("empty.txt", ["", "  "]);
        var some = Write("some.txt", ["1", "2"]);

        var noFile = await CliHarness.RunAsync(null, "drift", "compare", "--reference", missing, "--current", some);
        var noValues = await CliHarness.RunAsync(null, "drift", "compare", "--reference", some, "--current", empty);
        var noFlag = await CliHarness.RunAsync(null, "drift", "compare", "--reference", some);

        Assert.True(noFile.ExitCode == 2, noFile.ToString());
        Assert.Contains($"--reference '{missing}': no such file", noFile.Stderr);
        Assert.True(noValues.ExitCode == 2, noValues.ToString());
        Assert.Contains($"--current '{empty}': no values; give one value per line", noValues.Stderr);
        Assert.Equal(2, noFlag.ExitCode);
        Assert.Contains("--current", noFlag.Stderr);
        Assert.DoesNotContain("   at ", noFile.Stderr + noValues.Stderr + noFlag.Stderr);
    }

    [Theory]
    [InlineData("--bins", "1", "--bins 1: give at least 2 bins")]
    [InlineData("-o", "yaml", "-o yaml does not apply to 'drift compare'")]
    public async Task Compare_BadFlag_ExitsTwo(string flag, string value, string message)
    {
        var some = Write("some.txt", ["1", "2", "3"]);

        var result = await CliHarness.RunAsync(null, "drift", "compare", "--reference", some, "--current", some, flag, value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr);
    }

    private static JsonDocument Fixture() => JsonDocument.Parse(File.ReadAllText(FixturePath));

    // One row per observation, categories named c0, c1, …, with an id column first so that --column has to pick.
    private static IEnumerable<string> Csv(JsonElement counts)
    {
        yield return "id,plan";
        var id = 0;
        var category = 0;
        foreach (var count in counts.EnumerateArray())
        {
            for (var i = 0; i < count.GetInt32(); i++) yield return $"{id++},c{category}";
            category++;
        }
    }

    private static void Close(JsonElement fixture, string fixtureKey, JsonElement output, string outputKey, double tolerance)
    {
        var expected = fixture.GetProperty(fixtureKey).GetDouble();
        var actual = output.GetProperty(outputKey).GetDouble();
        var error = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(error <= tolerance, $"{outputKey}: expected {expected:R}, got {actual:R} (relative error {error:E2})");
    }

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}

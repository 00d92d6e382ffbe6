using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies the canonical text of every parameter type and the errors for values that do not fit the type.</summary>
public sealed class ParameterValuesTests
{
    [Theory]
    [InlineData(ParameterType.String, " any text ", " any text ")]
    [InlineData(ParameterType.String, "", "")]
    [InlineData(ParameterType.Int, "42", "42")]
    [InlineData(ParameterType.Int, " -7 ", "-7")]
    [InlineData(ParameterType.Int, "+007", "7")]
    [InlineData(ParameterType.Int, "9223372036854775807", "9223372036854775807")]
    [InlineData(ParameterType.Float, "0.1", "0.1")]
    [InlineData(ParameterType.Float, "0.10", "0.1")]
    [InlineData(ParameterType.Float, "1e-5", "1E-05")]
    [InlineData(ParameterType.Float, "3", "3")]
    [InlineData(ParameterType.Float, "-2.5", "-2.5")]
    [InlineData(ParameterType.Float, ".5", "0.5")]
    [InlineData(ParameterType.Bool, "true", "true")]
    [InlineData(ParameterType.Bool, "True", "true")]
    [InlineData(ParameterType.Bool, "FALSE", "false")]
    [InlineData(ParameterType.List, "[0.1, 0.01]", "[0.1,0.01]")]
    [InlineData(ParameterType.List, "[ \"a\" , \"b\" ]", "[\"a\",\"b\"]")]
    [InlineData(ParameterType.List, "[]", "[]")]
    [InlineData(ParameterType.List, "[1, 1.0, 0.50, true, \"x\"]", "[1,1,0.5,true,\"x\"]")]
    [InlineData(ParameterType.List, "[\"é\", \"a\\\"b\"]", "[\"é\",\"a\\\"b\"]")]
    public void Canonicalize_ValidValue_GivesCanonicalText(ParameterType type, string raw, string expected)
    {
        Assert.Equal(expected, ParameterValues.Canonicalize(type, raw));
    }

    [Theory]
    [InlineData(ParameterType.Float, "0.1")]
    [InlineData(ParameterType.Float, "1E-05")]
    [InlineData(ParameterType.Float, "123456789.123456789")]
    [InlineData(ParameterType.List, "[0.1,\"a\",true]")]
    public void Canonicalize_CanonicalText_IsAFixedPoint(ParameterType type, string raw)
    {
        var once = ParameterValues.Canonicalize(type, raw);

        Assert.Equal(once, ParameterValues.Canonicalize(type, once));
    }

    [Theory]
    [InlineData(ParameterType.Int, "abc", "expected an integer (64-bit, e.g. 42 or -7), got \"abc\"")]
    [InlineData(ParameterType.Int, "1.5", "expected an integer")]
    [InlineData(ParameterType.Int, "9223372036854775808", "expected an integer")]
    [InlineData(ParameterType.Int, "", "expected an integer")]
    [InlineData(ParameterType.Float, "abc", "expected a finite number (e.g. 0.5 or 1e-5), got \"abc\"")]
    [InlineData(ParameterType.Float, "NaN", "expected a finite number")]
    [InlineData(ParameterType.Float, "Infinity", "expected a finite number")]
    [InlineData(ParameterType.Float, "-Infinity", "expected a finite number")]
    [InlineData(ParameterType.Float, "1e400", "expected a finite number")]
    [InlineData(ParameterType.Float, "1,5", "expected a finite number")]
    [InlineData(ParameterType.Bool, "yes", "expected true or false, got \"yes\"")]
    [InlineData(ParameterType.Bool, "1", "expected true or false")]
    [InlineData(ParameterType.List, "a,b", "expected a JSON array of scalars")]
    [InlineData(ParameterType.List, "{\"a\": 1}", "expected a JSON array of scalars")]
    [InlineData(ParameterType.List, "[1, [2]]", "got a nested list")]
    [InlineData(ParameterType.List, "[{\"a\": 1}]", "got an object")]
    [InlineData(ParameterType.List, "[null]", "got null")]
    [InlineData(ParameterType.List, "[1e400]", "out of range")]
    [InlineData(ParameterType.List, "[1,", "expected a JSON array of scalars")]
    [InlineData(ParameterType.List, "[\"\\ud800\"]", "not valid Unicode text")]
    [InlineData(ParameterType.List, "[1] // comment", "expected a JSON array of scalars")]
    public void Canonicalize_InvalidValue_SaysWhatWasExpected(ParameterType type, string raw, string message)
    {
        var error = Assert.Throws<FormatException>(() => ParameterValues.Canonicalize(type, raw));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListItems_GivesEachItemsCanonicalScalarText()
    {
        var items = ParameterValues.ListItems(ParameterValues.Canonicalize(ParameterType.List, "[0.10, 3, \"a b\", true, \"\\\"q\\\"\"]"));

        Assert.Equal(["0.1", "3", "a b", "true", "\"q\""], items);
    }

    [Fact]
    public void ListItems_NotAList_Fails()
    {
        Assert.Throws<FormatException>(() => ParameterValues.ListItems("3"));
    }
}

using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies condition parsing (precedence, errors with columns), references, and evaluation (numeric vs string, booleans, missing values).</summary>
public sealed class WhenExpressionTests
{
    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal)
    {
        ["{{params.threshold}}"] = "0.8",
        ["{{params.mode}}"] = "fast",
        ["{{params.deploy}}"] = "true",
        ["{{params.count}}"] = "10",
        ["{{steps.eval.outputs.auc}}"] = "0.93\n",
        ["{{steps.eval.outputs.verdict}}"] = "  ship  ",
        ["{{item}}"] = "b",
    };

    private static bool Evaluate(string condition) =>
        WhenExpression.Parse(condition).Evaluate(r => Values.GetValueOrDefault(r.ToString()));

    [Theory]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("!false && false", false)]
    [InlineData("!(false && false)", true)]
    [InlineData("!!true", true)]
    [InlineData("false || false || true", true)]
    [InlineData("true && true && !true", false)]
    [InlineData("1 < 2 && 2 < 3", true)]
    [InlineData("(1 < 2) == true", true)]
    public void Evaluate_Operators_FollowPrecedence(string condition, bool expected)
    {
        Assert.Equal(expected, Evaluate(condition));
    }

    [Theory]
    [InlineData("10 > 9", true)]
    [InlineData("'10' > '9'", true)]
    [InlineData("0.80 == 0.8", true)]
    [InlineData("1e3 == 1000", true)]
    [InlineData("-1 < 0", true)]
    [InlineData("{{params.count}} > 9", true)]
    [InlineData("{{steps.eval.outputs.auc}} >= {{params.threshold}}", true)]
    [InlineData("{{steps.eval.outputs.auc}} < 0.9", false)]
    [InlineData("{{params.threshold}} != 0.80", false)]
    public void Evaluate_BothSidesNumbers_ComparesNumerically(string condition, bool expected)
    {
        Assert.Equal(expected, Evaluate(condition));
    }

    [Theory]
    [InlineData("'b' > 'a'", true)]
    [InlineData("'B' < 'a'", true)]
    [InlineData("'abc' <= 'abd'", true)]
    [InlineData("'10' > 'nine'", false)]
    [InlineData("{{params.mode}} == 'fast'", true)]
    [InlineData("{{params.mode}} == \"fast\"", true)]
    [InlineData("{{params.mode}} == 'Fast'", false)]
    [InlineData("{{steps.eval.outputs.verdict}} == 'ship'", true)]
    [InlineData("{{item}} != 'a'", true)]
    [InlineData("'it\\'s' == \"it's\"", true)]
    [InlineData("'NaN' == 'NaN'", true)]
    [InlineData("{{params.deploy}} == true", true)]
    public void Evaluate_NotBothNumbers_ComparesOrdinalStrings(string condition, bool expected)
    {
        Assert.Equal(expected, Evaluate(condition));
    }

    [Theory]
    [InlineData("{{params.deploy}}", true)]
    [InlineData("!{{params.deploy}}", false)]
    [InlineData("'TRUE'", true)]
    public void Evaluate_BareBooleanOperand_ReadsTrueOrFalse(string condition, bool expected)
    {
        Assert.Equal(expected, Evaluate(condition));
    }

    [Theory]
    [InlineData("{{params.mode}}", "{{params.mode}} is \"fast\", which is not true or false")]
    [InlineData("1", "1 is \"1\", which is not true or false")]
    [InlineData("{{params.deploy}} && 'yes'", "'yes' is \"yes\"")]
    public void Evaluate_BareOperandThatIsNotBoolean_Fails(string condition, string message)
    {
        var error = Assert.Throws<FormatException>(() => Evaluate(condition));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ReferenceWithoutValue_FailsNamingIt()
    {
        var when = WhenExpression.Parse("{{params.missing}} == 1");

        var error = Assert.Throws<FormatException>(() => when.Evaluate(_ => null));

        Assert.Contains("{{params.missing}} has no value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ShortCircuits_SoTheRightSideIsNotRead()
    {
        var read = new List<Reference>();
        var when = WhenExpression.Parse("{{params.a}} == 1 || {{params.b}} == 2");

        var result = when.Evaluate(r =>
        {
            read.Add(r);
            return "1";
        });

        Assert.True(result);
        Assert.Equal([new Reference(ReferenceKind.Parameter, "a")], read);
    }

    [Fact]
    public void References_ListsEachReferenceOnceInOrder()
    {
        var when = WhenExpression.Parse("{{steps.eval.outputs.auc}} > {{ params.min }} && {{item}} != 'x' || {{params.min}} < 0");

        Assert.Equal(
            [
                new Reference(ReferenceKind.StepOutput, "auc", "eval"),
                new Reference(ReferenceKind.Parameter, "min"),
                new Reference(ReferenceKind.Item, "item"),
            ],
            when.References);
        Assert.Equal("{{steps.eval.outputs.auc}} > {{ params.min }} && {{item}} != 'x' || {{params.min}} < 0", when.Source);
    }

    [Fact]
    public void Parse_DeepNesting_IsRefusedInsteadOfOverflowingTheStack()
    {
        var parentheses = Assert.Throws<FormatException>(() => WhenExpression.Parse(new string('(', 30_000) + "true" + new string(')', 30_000)));
        var negations = Assert.Throws<FormatException>(() => WhenExpression.Parse(new string('!', 60_000) + "true"));

        Assert.Contains("at column 65: nested more than 64 levels deep", parentheses.Message, StringComparison.Ordinal);
        Assert.Contains("at column 65: nested more than 64 levels deep", negations.Message, StringComparison.Ordinal);
        Assert.True(WhenExpression.Parse(new string('(', 64) + "true" + new string(')', 64)).Evaluate(_ => null));
    }

    [Theory]
    [InlineData("", "condition is empty")]
    [InlineData("   ", "condition is empty")]
    [InlineData("1 <", "at column 4: expected a {{reference}}, a number, a quoted string, true, false, '!' or '(', got the end of the condition")]
    [InlineData("(true", "at column 6: expected ')' to close the '(' at column 1")]
    [InlineData("true)", "at column 5: unexpected ')': expected '&&', '||' or the end of the condition")]
    [InlineData("1 < 2 < 3", "at column 7: comparisons cannot be chained")]
    [InlineData("1 = 1", "at column 3: a single '=' is not an operator: use '=='")]
    [InlineData("true & false", "at column 6: a single '&' is not an operator: use '&&'")]
    [InlineData("true | false", "at column 6: a single '|' is not an operator: use '||'")]
    [InlineData("mode == 'x'", "at column 1: unexpected word \"mode\": quote text ('mode')")]
    [InlineData("'open", "at column 1: unclosed string: end it with '")]
    [InlineData("{{params.x == 1", "at column 1: unclosed '{{'")]
    [InlineData("{{foo}} == 1", "at column 1: unknown reference \"{{foo}}\"")]
    [InlineData("1.2.3 > 0", "at column 1: \"1.2.3\" is not a number")]
    [InlineData("5s > 1", "at column 2: unexpected 's > 1' after the number 5: quote text, e.g. '5s'")]
    [InlineData("true && ", "at column 9: expected a {{reference}}")]
    [InlineData("== 1", "at column 1: expected a {{reference}}, a number, a quoted string, true, false, '!' or '(', got '== 1'")]
    public void Parse_Malformed_SaysWhereAndWhatWasExpected(string condition, string message)
    {
        var error = Assert.Throws<FormatException>(() => WhenExpression.Parse(condition));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}

using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies that every template form parses to the right reference and that malformed templates fail with a clear message.</summary>
public sealed class TemplateParserTests
{
    [Theory]
    [InlineData("{{params.lr}}", ReferenceKind.Parameter, "lr", null)]
    [InlineData("{{ params.lr }}", ReferenceKind.Parameter, "lr", null)]
    [InlineData("{{steps.train.outputs.model}}", ReferenceKind.StepOutput, "model", "train")]
    [InlineData("{{  steps.train.outputs.model.pt  }}", ReferenceKind.StepOutput, "model.pt", "train")]
    [InlineData("{{item}}", ReferenceKind.Item, "item", null)]
    [InlineData("{{inputs.data}}", ReferenceKind.Input, "data", null)]
    [InlineData("{{inputs.data.csv}}", ReferenceKind.Input, "data.csv", null)]
    [InlineData("{{outputs.model}}", ReferenceKind.Output, "model", null)]
    [InlineData("{{run.id}}", ReferenceKind.RunId, "id", null)]
    [InlineData("{{ run.status }}", ReferenceKind.RunStatus, "status", null)]
    public void Parse_EachForm_GivesOneReference(string text, ReferenceKind kind, string name, string? step)
    {
        var template = TemplateParser.Parse(text);

        Assert.True(template.IsSingleReference);
        Assert.Equal(new Reference(kind, name, step), template.Parts[0].Reference);
        Assert.Equal(text, template.Source);
    }

    [Fact]
    public void Parse_TextAroundReferences_KeepsLiteralPartsInOrder()
    {
        var template = TemplateParser.Parse("--lr={{params.lr}} --run {{run.id}}!");

        Assert.Equal(["--lr=", null, " --run ", null, "!"], template.Parts.Select(p => p.Reference is null ? p.Text : null));
        Assert.Equal(
            [new Reference(ReferenceKind.Parameter, "lr"), new Reference(ReferenceKind.RunId, "id")],
            template.References);
        Assert.False(template.IsSingleReference);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("{\"a\": 1}")]
    [InlineData("a } b { c")]
    [InlineData("}} before")]
    public void Parse_LiteralTextWithSingleBraces_IsOneLiteral(string text)
    {
        var template = TemplateParser.Parse(text);

        Assert.Empty(template.References);
        Assert.Equal(text, string.Concat(template.Parts.Select(p => p.Text)));
    }

    [Fact]
    public void Parse_TripleBraces_ReadAsALiteralBraceAroundAReference()
    {
        var template = TemplateParser.Parse("{{{params.x}}}");

        Assert.Equal(3, template.Parts.Count);
        Assert.Equal("{", template.Parts[0].Text);
        Assert.Equal(new Reference(ReferenceKind.Parameter, "x"), template.Parts[1].Reference);
        Assert.Equal("}", template.Parts[2].Text);
    }

    [Theory]
    [InlineData("{{params.x")]
    [InlineData("run {{ item }")]
    [InlineData("{{")]
    public void Parse_UnclosedBraces_FailsSayingHowToClose(string text)
    {
        var error = Assert.Throws<FormatException>(() => TemplateParser.Parse(text));

        Assert.Contains("unclosed '{{'", error.Message, StringComparison.Ordinal);
        Assert.Contains("close it with '}}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{foo}}", "{{foo}}")]
    [InlineData("x {{params.}} y", "{{params.}}")]
    [InlineData("{{}}", "{{}}")]
    [InlineData("{{steps.train.model}}", "{{steps.train.model}}")]
    [InlineData("{{steps..outputs.model}}", "{{steps..outputs.model}}")]
    [InlineData("{{params.a b}}", "{{params.a b}}")]
    [InlineData("{{Item}}", "{{Item}}")]
    [InlineData("{{run.name}}", "{{run.name}}")]
    public void Parse_UnknownForm_NamesTheTextAndListsTheValidForms(string text, string quoted)
    {
        var error = Assert.Throws<FormatException>(() => TemplateParser.Parse(text));

        Assert.Contains($"unknown reference \"{quoted}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(TemplateParser.ValidForms, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceToString_WritesTheCanonicalForm()
    {
        var template = TemplateParser.Parse("{{ inputs.data }}{{  steps.a.outputs.b  }}");

        Assert.Equal(["{{inputs.data}}", "{{steps.a.outputs.b}}"], template.References.Select(r => r.ToString()));
    }
}

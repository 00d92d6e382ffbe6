namespace Orchestrator.Core.Models;

/// <summary>Bounds on what one model version may hold, so that a version stays small enough to store and send.</summary>
public static class ModelLimits
{
    /// <summary>Most values in one numeric feature's sample.</summary>
    public const int MaxSampleValues = 10_000;

    /// <summary>Most bin edges of one numeric feature.</summary>
    public const int MaxBinEdges = 1_000;

    /// <summary>Most categories of one categorical feature.</summary>
    public const int MaxCategories = 10_000;

    /// <summary>Most features (numeric and categorical together) in a profile.</summary>
    public const int MaxFeatures = 1_000;

    /// <summary>Most parameters, and most metrics, of a version.</summary>
    public const int MaxEntries = 256;

    /// <summary>Most tags of a version.</summary>
    public const int MaxTags = 64;

    /// <summary>Longest parameter value.</summary>
    public const int MaxParameterValueLength = 4096;

    /// <summary>Longest tag value.</summary>
    public const int MaxTagValueLength = 256;

    /// <summary>Longest free text (description, reason, URI, step key, category name).</summary>
    public const int MaxTextLength = 1024;

    /// <summary>How far the shares of a feature may sum from 1.</summary>
    public const double ProportionTolerance = 1e-6;
}

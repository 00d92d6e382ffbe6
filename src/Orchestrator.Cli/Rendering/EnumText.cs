using System.Reflection;
using System.Text;

using Google.Protobuf.Reflection;

namespace Orchestrator.Cli.Rendering;

/// <summary>Proto enum values as people write them: <c>RunState.Running</c> is <c>running</c> (as in pipeline YAML).</summary>
internal static class EnumText
{
    /// <summary>The value's short lowercase name: <c>running</c>, <c>infra_failed</c>.</summary>
    public static string Short<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        var name = value.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) builder.Append('_');
            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    /// <summary>The names a user may write, without the unspecified zero value.</summary>
    public static IReadOnlyList<string> Names<TEnum>()
        where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Where(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0).Select(Short).ToList();

    /// <summary>Reads a value by its short name or its full proto name (<c>RUN_STATE_RUNNING</c>), ignoring case.</summary>
    /// <exception cref="CliUsageException">Naming <paramref name="option"/> and the valid names.</exception>
    public static TEnum Parse<TEnum>(string text, string option)
        where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0) continue;
            if (string.Equals(Short(value), text, StringComparison.OrdinalIgnoreCase)
                || string.Equals(ProtoName(value), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new CliUsageException($"{option} '{text}' is not one of: {string.Join(", ", Names<TEnum>())}");
    }

    private static string? ProtoName<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name;
}

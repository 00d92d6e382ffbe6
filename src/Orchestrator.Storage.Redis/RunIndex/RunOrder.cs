using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Orchestrator.Storage.Redis.RunIndex;

/// <summary>A run's place in list order as a sorted-set member: <c>&lt;UTC ticks, 19 digits&gt;|&lt;id&gt;</c>. Read in
/// reverse lexicographic order (ZREVRANGEBYLEX) that is newest first, ties broken by id descending, so the order is total.</summary>
internal static class RunOrder
{
    private const string TokenPrefix = "r1|";

    /// <summary>The member of a run submitted at <paramref name="createdAt"/>.</summary>
    public static string Member(string id, DateTimeOffset createdAt) =>
        createdAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + id;

    /// <summary>The opaque page token that resumes listing after <paramref name="member"/>.</summary>
    public static string ToPageToken(string member) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(TokenPrefix + member));

    /// <summary>The member a page token resumes after; throws <see cref="ArgumentException"/> for anything this server did not issue.</summary>
    public static string FromPageToken(string token)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw NotIssued(e);
        }

        // A member is 19 digits, '|', and a non-empty id.
        if (!text.StartsWith(TokenPrefix, StringComparison.Ordinal) || text.Length < TokenPrefix.Length + 21 ||
            text[TokenPrefix.Length + 19] != '|' || !text.AsSpan(TokenPrefix.Length, 19).ContainsOnlyDigits())
        {
            throw NotIssued(null);
        }

        return text[TokenPrefix.Length..];
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');

    private static ArgumentException NotIssued(Exception? inner) =>
        new("page_token is not one this server issued; pass the next_page_token of the previous page, or none for the first page.",
            "PageToken", inner);
}

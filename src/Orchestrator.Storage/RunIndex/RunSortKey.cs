using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace Orchestrator.Storage.RunIndex;

/// <summary>Where a run sits in list order: newest first, ties broken by id (descending) so the order is total.</summary>
/// <param name="CreatedAtUtcTicks">When the run was submitted, in UTC ticks.</param>
/// <param name="Id">The run id.</param>
internal readonly record struct RunSortKey(long CreatedAtUtcTicks, string Id)
{
    private const byte TokenFormat = 1;

    /// <summary>Orders keys newest first.</summary>
    public static IComparer<RunSortKey> NewestFirst { get; } = Comparer<RunSortKey>.Create(static (a, b) =>
    {
        var byTime = b.CreatedAtUtcTicks.CompareTo(a.CreatedAtUtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(b.Id, a.Id);
    });

    /// <summary>A key after every other key in <see cref="NewestFirst"/> order.</summary>
    public static RunSortKey Last { get; } = new(long.MinValue, "");

    /// <summary>The key of a run submitted at <paramref name="createdAt"/>.</summary>
    public static RunSortKey For(string id, DateTimeOffset createdAt) => new(createdAt.UtcTicks, id);

    /// <summary>The opaque page token that resumes listing after this key.</summary>
    public string ToPageToken()
    {
        var id = Encoding.UTF8.GetBytes(Id);
        var bytes = new byte[9 + id.Length];
        bytes[0] = TokenFormat;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), CreatedAtUtcTicks);
        id.CopyTo(bytes, 9);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Decodes a page token; throws <see cref="ArgumentException"/> for anything this server did not issue.</summary>
    public static RunSortKey FromPageToken(string token)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException e)
        {
            throw NotIssued(e);
        }

        if (bytes.Length < 9 || bytes[0] != TokenFormat)
        {
            throw NotIssued(null);
        }

        string id;
        try
        {
            id = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 9, bytes.Length - 9);
        }
        catch (DecoderFallbackException e)
        {
            throw NotIssued(e);
        }

        return new RunSortKey(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1)), id);
    }

    private static ArgumentException NotIssued(Exception? inner) =>
        new("page_token is not one this server issued; pass the next_page_token of the previous page, or none for the first page.",
            "PageToken", inner);
}

using System.Collections.Concurrent;
using System.Text;
using System.Text.Unicode;

namespace Encimap.Mime;

/// <summary>Charset names (MIME, RFC 2978) to .NET encodings, with graceful degradation.</summary>
internal static class Charsets
{
    private static readonly ConcurrentDictionary<string, Encoding?> Cache = new(StringComparer.OrdinalIgnoreCase);

    static Charsets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>windows-1252: what undeclared 8-bit text in mail almost always is.</summary>
    public static Encoding Windows1252 { get; } = GetRequired(1252);

    /// <summary>The encoding for a MIME charset name, or null when .NET knows no such charset.</summary>
    public static Encoding? Find(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset)) return null;
        return Cache.GetOrAdd(charset.Trim(), Lookup);
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/> in <paramref name="charset"/>. An unknown or absent
    /// charset reads as UTF-8 when the bytes are valid UTF-8, windows-1252 otherwise.
    /// </summary>
    public static string DecodeText(ReadOnlySpan<byte> bytes, string? charset)
    {
        var encoding = Find(charset);
        // us-ascii is routinely mislabelled 8-bit text: read it like an unknown charset.
        if (encoding is null || encoding.CodePage == 20127) return DecodeUndeclared(bytes);
        try
        {
            return encoding.GetString(bytes);
        }
        catch (Exception exception) when (exception is ArgumentException or DecoderFallbackException)
        {
            return DecodeUndeclared(bytes);
        }
    }

    /// <summary>Bytes of unknown charset: UTF-8 when valid (RFC 6532), windows-1252 otherwise.</summary>
    public static string DecodeUndeclared(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Windows1252.GetString(bytes);

    private static Encoding? Lookup(string name)
    {
        var normalized = Normalize(name);
        try
        {
            return normalized.StartsWith("cp", StringComparison.Ordinal) && int.TryParse(normalized.AsSpan(2), out var codePage)
                ? Encoding.GetEncoding(codePage)
                : Encoding.GetEncoding(normalized);
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static string Normalize(string name)
    {
        var lower = name.ToLowerInvariant();
        return lower switch
        {
            "utf8" => "utf-8",
            "latin1" or "latin-1" => "iso-8859-1",
            "ascii" => "us-ascii",
            "x-user-defined" => "windows-1252",
            _ => lower,
        };
    }

    private static Encoding GetRequired(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }
}

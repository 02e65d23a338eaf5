using System.Text.Json.Serialization;

namespace Encimap.Api.Domains;

/// <summary>
/// A TXT record: its owner name, its value, and the value cut into the character-strings of at
/// most 255 octets that one TXT record holds (RFC 1035 §3.3.14; RFC 6376 §3.6.2.2: verifiers join
/// them). An RSA-2048 key does not fit in one string; many DNS interfaces want them pre-cut.
/// </summary>
public sealed record DkimDnsRecord(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("strings")] IReadOnlyList<string> Strings)
{
    private const int MaxStringLength = 255;

    public static DkimDnsRecord Txt(string name, string value) => new(name, "TXT", value, Cut(value));

    private static List<string> Cut(string value)
    {
        var strings = new List<string>();
        for (var start = 0; start < value.Length; start += MaxStringLength)
        {
            strings.Add(value.Substring(start, Math.Min(MaxStringLength, value.Length - start)));
        }

        return strings;
    }
}

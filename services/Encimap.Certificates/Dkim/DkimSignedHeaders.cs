using MimeKit;

namespace Encimap.Certificates.Dkim;

/// <summary>
/// Which header fields a signature covers (the h= tag): those RFC 6376 §5.4.1 recommends that the
/// message has, each as often as it occurs, and From once more than it occurs, so that a From
/// field added on the way breaks the signature (§5.4.2: a name listed beyond the fields present
/// signs their absence). Trace and transport fields (Received, Return-Path) are left out: they
/// change on the way by design.
/// </summary>
public static class DkimSignedHeaders
{
    /// <summary>The candidates, in h= order.</summary>
    public static readonly IReadOnlyList<string> Candidates =
    [
        "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To", "References",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    ];

    /// <summary>The h= list for <paramref name="message"/>.</summary>
    public static IList<string> For(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var names = new List<string>();
        foreach (var name in Candidates)
        {
            // MimeKit keeps a message's Content-* fields with its body entity, and its signer reads them from there.
            var headers = name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) ? message.Body?.Headers : message.Headers;
            var count = headers?.Count(header => header.Field.Equals(name, StringComparison.OrdinalIgnoreCase)) ?? 0;
            if (name == "From")
            {
                count++;
            }

            for (var i = 0; i < count; i++)
            {
                names.Add(name);
            }
        }

        return names;
    }
}

using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>IMAP's modified UTF-7 for mailbox names (RFC 3501 §5.1.3).</summary>
public static class ModifiedUtf7
{
    public static string Encode(string name)
    {
        var builder = new StringBuilder();
        var pending = new StringBuilder();
        foreach (var c in name)
        {
            if (c >= 0x20 && c <= 0x7e)
            {
                Flush();
                builder.Append(c == '&' ? "&-" : c.ToString());
            }
            else
            {
                pending.Append(c);
            }
        }

        Flush();
        return builder.ToString();

        void Flush()
        {
            if (pending.Length == 0)
            {
                return;
            }

            var bytes = Encoding.BigEndianUnicode.GetBytes(pending.ToString());
            builder.Append('&').Append(Convert.ToBase64String(bytes).TrimEnd('=').Replace('/', ',')).Append('-');
            pending.Clear();
        }
    }

    /// <summary>Decodes; null when the name is not valid modified UTF-7.</summary>
    public static string? Decode(string name)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c != '&')
            {
                if (c > 0x7e)
                {
                    return null;
                }

                builder.Append(c);
                continue;
            }

            var end = name.IndexOf('-', i + 1);
            if (end < 0)
            {
                return null;
            }

            if (end == i + 1)
            {
                builder.Append('&');
            }
            else
            {
                var base64 = name[(i + 1)..end].Replace(',', '/');
                base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
                try
                {
                    builder.Append(Encoding.BigEndianUnicode.GetString(Convert.FromBase64String(base64)));
                }
                catch (FormatException)
                {
                    return null;
                }
            }

            i = end;
        }

        return builder.ToString();
    }
}

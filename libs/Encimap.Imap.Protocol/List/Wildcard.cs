namespace Encimap.Imap.Protocol;

/// <summary>LIST patterns: <c>*</c> matches anything, <c>%</c> anything but the delimiter <c>/</c>.</summary>
public static class Wildcard
{
    public static bool Matches(string pattern, string name) => Match(pattern, 0, name, 0);

    private static bool Match(string p, int i, string n, int j)
    {
        while (i < p.Length)
        {
            var c = p[i];
            if (c is '*' or '%')
            {
                for (var k = j; k <= n.Length; k++)
                {
                    if (Match(p, i + 1, n, k))
                    {
                        return true;
                    }

                    if (k < n.Length && c == '%' && n[k] == '/')
                    {
                        return false;
                    }
                }

                return false;
            }

            if (j >= n.Length)
            {
                return false;
            }

            var equal = IsInboxPrefix(p, i, j) ? char.ToUpperInvariant(c) == char.ToUpperInvariant(n[j]) : c == n[j];
            if (!equal)
            {
                return false;
            }

            i++;
            j++;
        }

        return j == n.Length;
    }

    // "inbox" matches INBOX case-insensitively.
    private static bool IsInboxPrefix(string p, int i, int j) => i == j && i < 5 && p.Length >= 5 && p[..5].Equals("INBOX", StringComparison.OrdinalIgnoreCase);
}

namespace Encimap.Imap.Protocol;

/// <summary>System flags (RFC 3501 §2.3.2) and their canonical spelling.</summary>
public static class Flags
{
    public const string Seen = @"\Seen";
    public const string Answered = @"\Answered";
    public const string Flagged = @"\Flagged";
    public const string Deleted = @"\Deleted";
    public const string Draft = @"\Draft";
    public const string Recent = @"\Recent";

    public static IReadOnlyList<string> System { get; } = [Answered, Flagged, Deleted, Seen, Draft];

    /// <summary>System flags in their canonical case; anything else unchanged.</summary>
    public static string Canonical(string flag)
    {
        foreach (var known in System)
        {
            if (known.Equals(flag, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return flag.Equals(Recent, StringComparison.OrdinalIgnoreCase) ? Recent : flag;
    }
}

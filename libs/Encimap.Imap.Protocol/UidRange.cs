namespace Encimap.Imap.Protocol;

/// <summary>An inclusive range of UIDs.</summary>
public readonly record struct UidRange(uint First, uint Last)
{
    public bool Contains(uint uid) => uid >= First && uid <= Last;

    /// <summary>Sorted, merged ranges.</summary>
    public static IReadOnlyList<UidRange> Normalize(IEnumerable<UidRange> ranges)
    {
        var merged = new List<UidRange>();
        foreach (var range in ranges.OrderBy(r => r.First))
        {
            if (merged.Count > 0 && range.First <= (ulong)merged[^1].Last + 1)
            {
                merged[^1] = new UidRange(merged[^1].First, Math.Max(merged[^1].Last, range.Last));
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged;
    }

    public static bool AnyContains(IReadOnlyList<UidRange> ranges, uint uid)
    {
        foreach (var range in ranges)
        {
            if (range.Contains(uid))
            {
                return true;
            }
        }

        return false;
    }
}

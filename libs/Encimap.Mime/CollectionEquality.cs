namespace Encimap.Mime;

/// <summary>Value equality for the collections the public records carry.</summary>
internal static class CollectionEquality
{
    /// <summary>Same pairs in the same order (parameter order is part of what IMAP reports).</summary>
    public static bool Equal(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.Count != b.Count) return false;
        using var left = a.GetEnumerator();
        using var right = b.GetEnumerator();
        while (left.MoveNext() && right.MoveNext())
        {
            if (left.Current.Key != right.Current.Key || left.Current.Value != right.Current.Value) return false;
        }
        return true;
    }

    public static bool Equal<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.Count != b.Count) return false;
        return a.SequenceEqual(b);
    }
}

namespace Encimap.Mime;

/// <summary>IMAP section part numbers (RFC 3501 §6.4.5) to parts of a tree.</summary>
internal static class SectionPath
{
    public static BodyStructure? Find(BodyStructure root, string partNumber) =>
        Find(root, partNumber, body => body.Children, body => body.Message);

    /// <summary>
    /// Walks "1.2.3": a number picks a child of a multipart; a non-multipart body has the single
    /// part "1", and only as a message's body; inside a message/rfc822 part the numbers continue
    /// in the encapsulated message's body.
    /// </summary>
    private static T? Find<T>(T root, string partNumber, Func<T, IReadOnlyList<T>> children, Func<T, T?> encapsulatedRoot)
        where T : class
    {
        if (string.IsNullOrEmpty(partNumber)) return root;
        var current = root;
        var isMessageRoot = true;
        foreach (var segment in partNumber.Split('.'))
        {
            if (!int.TryParse(segment, System.Globalization.NumberStyles.None, null, out var number) || number < 1) return null;
            if (!isMessageRoot && encapsulatedRoot(current) is { } message)
            {
                current = message;
                isMessageRoot = true;
            }
            var parts = children(current);
            if (parts.Count > 0)
            {
                if (number > parts.Count) return null;
                current = parts[number - 1];
            }
            else if (!isMessageRoot || number != 1)
            {
                return null;
            }
            isMessageRoot = false;
        }
        return current;
    }
}

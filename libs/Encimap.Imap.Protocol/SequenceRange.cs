using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>One range of a sequence set; <see cref="SequenceSet.Star"/> stands for <c>*</c>.</summary>
public readonly record struct SequenceRange(uint First, uint Last)
{
    public override string ToString() =>
        First == Last ? Format(First) : $"{Format(First)}:{Format(Last)}";

    private static string Format(uint n) => n == SequenceSet.Star ? "*" : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

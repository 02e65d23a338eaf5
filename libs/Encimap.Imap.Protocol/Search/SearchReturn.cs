namespace Encimap.Imap.Protocol;

/// <summary>ESEARCH result options; none given means ALL.</summary>
[Flags]
public enum SearchReturn
{
    None = 0,
    Min = 1,
    Max = 2,
    All = 4,
    Count = 8,
    Save = 16,
}

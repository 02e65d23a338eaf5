namespace Encimap.Imap.Protocol;

[Flags]
public enum ListSelection
{
    None = 0,
    Subscribed = 1,
    SpecialUse = 2,
    RecursiveMatch = 4,
    Remote = 8,
}

namespace Encimap.Imap.Protocol;

[Flags]
public enum ListReturn
{
    None = 0,
    Subscribed = 1,
    Children = 2,
    SpecialUse = 4,
    Status = 8,
}

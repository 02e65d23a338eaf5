namespace Encimap.Imap.Protocol;

public enum StoreMode
{
    Replace,
    Add,
    Remove,
}

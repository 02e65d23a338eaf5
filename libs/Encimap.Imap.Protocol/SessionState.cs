namespace Encimap.Imap.Protocol;

/// <summary>RFC 3501 §3 connection states.</summary>
public enum SessionState
{
    NotAuthenticated,
    Authenticated,
    Selected,
    Logout,
}

using Microsoft.Extensions.Logging;

namespace Encimap.Database;

/// <summary>What to do when a postmaster is already running on the cluster's data directory.</summary>
public enum RunningServerPolicy
{
    /// <summary>Stop it cleanly (<c>pg_ctl stop -m fast</c>) and start it again with these options.</summary>
    Restart,

    /// <summary>Use it as it is, on whatever port it listens.</summary>
    Adopt,
}

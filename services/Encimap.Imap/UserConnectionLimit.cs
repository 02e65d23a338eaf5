using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Encimap.Imap;

/// <summary>Counts the open sessions of each username against <see cref="ImapOptions.MaxConnectionsPerUser"/>.</summary>
public sealed class UserConnectionLimit(IOptions<ImapOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _connections = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Takes a connection slot of <paramref name="username"/>; false when the user has too many.</summary>
    public bool TryOpen(string username)
    {
        var count = _connections.AddOrUpdate(username, 1, (_, n) => n + 1);
        if (count > options.Value.MaxConnectionsPerUser)
        {
            Close(username);
            return false;
        }

        return true;
    }

    public void Close(string username) => _connections.AddOrUpdate(username, 0, (_, n) => Math.Max(0, n - 1));
}

using Encimap.Imap.Protocol;
using Encimap.LoginThrottling;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Encimap.Imap;

/// <summary>Sessions over the Encimap database; one per connection.</summary>
public sealed class PostgresImapBackend(
    [FromKeyedServices("encimap")] NpgsqlDataSource database,
    MailboxNotifier notifier,
    RecentClaims recentClaims,
    LoginPenalty penalty,
    UserConnectionLimit connections,
    IServiceProvider services,
    IOptions<ImapOptions> options,
    ILoggerFactory loggers) : IImapBackend
{
    public IImapSession OpenSession(ImapConnectionInfo connection) =>
        new PostgresImapSession(database, notifier, recentClaims, penalty, connections, services.GetRequiredService<CredentialVerification>, services.GetRequiredService<IntakeAppender>,
            options.Value, connection, loggers.CreateLogger<PostgresImapSession>());
}

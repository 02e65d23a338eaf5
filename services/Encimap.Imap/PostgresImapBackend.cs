using Encimap.Imap.Protocol;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Encimap.Imap;

/// <summary>Sessions over the Encimap database; one per connection.</summary>
public sealed class PostgresImapBackend(
    [FromKeyedServices("encimap")] NpgsqlDataSource database,
    MailboxNotifier notifier,
    LoginGuard guard,
    IServiceProvider services,
    IOptions<ImapOptions> options,
    ILoggerFactory loggers) : IImapBackend
{
    public IImapSession OpenSession(ImapConnectionInfo connection) =>
        new PostgresImapSession(database, notifier, guard, services.GetRequiredService<CredentialVerification>, services.GetRequiredService<IntakeAppender>,
            options.Value, connection, loggers.CreateLogger<PostgresImapSession>());
}

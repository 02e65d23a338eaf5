using System.CommandLine;

namespace Encimap.Cli;

/// <summary>The command tree of <c>encimapctl</c>.</summary>
internal static class CliApplication
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand(
            """
            encimapctl: administers an Encimap deployment.

            Connections come from --encimap/--platform, else ConnectionStrings__encimap /
            ConnectionStrings__platform, else the local development fleet's state
            (.encimap/dev-secrets.json, PostgreSQL on 127.0.0.1:55432).

            Exit codes: 0 success, 1 usage or invalid input, 2 not found or conflict,
            3 the operation failed (database unreachable, unexpected error).
            """);
        GlobalOptions.AddTo(root);
        root.Add(MigrateCommand.Create());
        root.Add(UsersCommands.Create());
        root.Add(DomainsCommands.Create());
        root.Add(MotorBlocksCommands.Create());
        root.Add(TokenCommand.Create());
        root.Add(UserTokenCommand.Create());
        root.Add(RoutesCommands.Create());
        return root;
    }
}

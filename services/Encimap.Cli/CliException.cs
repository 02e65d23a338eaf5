namespace Encimap.Cli;

/// <summary>The process exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Wrong usage or invalid input.</summary>
    public const int Usage = 1;

    /// <summary>Something named does not exist, or already exists.</summary>
    public const int NotFoundOrConflict = 2;

    /// <summary>The operation failed for another reason (database unreachable, unexpected error).</summary>
    public const int Failure = 3;
}

/// <summary>An expected failure: its message goes to stderr as is, without a stack trace.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    public static CliException NotFound(string message) => new(ExitCodes.NotFoundOrConflict, message);

    public static CliException Conflict(string message) => new(ExitCodes.NotFoundOrConflict, message);

    public static CliException Failure(string message) => new(ExitCodes.Failure, message);
}

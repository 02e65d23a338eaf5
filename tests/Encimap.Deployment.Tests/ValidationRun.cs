namespace Encimap.Deployment.Tests;

/// <summary>What one run of the validation script printed, and how it ended.</summary>
internal sealed record ValidationRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

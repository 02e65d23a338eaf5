using System.Runtime.InteropServices;

namespace Encimap.AppHost;

/// <summary>Sends POSIX signals: .NET can kill a process but not ask it politely to stop.</summary>
internal static partial class PosixSignal
{
    private const int SigTerm = 15;

    public static bool Terminate(int pid) => kill(pid, SigTerm) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

using Microsoft.Playwright;

namespace Encimap.Dashboard.Tests;

/// <summary>
/// Debian's chromium driven by Playwright. Playwright never downloads a browser here: it launches
/// the system's binary (<c>/usr/bin/chromium</c>, or <c>ENCIMAP_CHROMIUM</c>).
/// </summary>
internal static class Chromium
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("ENCIMAP_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: eng/install-prerequisites.sh installs Debian's chromium.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
        return (playwright, browser);
    }
}

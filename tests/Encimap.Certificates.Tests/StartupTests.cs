using System.Runtime.Versioning;
using Encimap.Certificates.Tests.Infrastructure;
using Encimap.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Certificates.Tests;

public sealed class StartupTests
{
    private const string UnusedDatabase = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none";

    [Fact]
    public void Without_a_KEK_the_service_refuses_to_start()
    {
        var directory = Directory.CreateTempSubdirectory("encimap-nokek-").FullName;
        try
        {
            var settings = CertificatesServer.DefaultSettings(UnusedDatabase, directory);
            settings["Certificates:GenerateDevelopmentKek"] = "false";
            var e = Assert.Throws<InvalidOperationException>(() => CertificatesServer.Build(settings));
            Assert.Contains("No key-encryption key is configured", e.Message);
            Assert.Empty(Directory.GetFiles(directory));

            settings.Remove("Certificates:KekDirectory");
            e = Assert.Throws<InvalidOperationException>(() => CertificatesServer.Build(settings));
            Assert.Contains("Certificates:KekDirectory", e.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Development_KEK_is_generated_owner_only_and_reused()
    {
        var root = Directory.CreateTempSubdirectory("encimap-devkek-").FullName;
        try
        {
            var directory = Path.Combine(root, "keks");
            string first;
            await using (var app = CertificatesServer.Build(CertificatesServer.DefaultSettings(UnusedDatabase, directory)))
            {
                first = app.Services.GetRequiredService<KeyEncryptionKeyRing>().CurrentId;
            }
            var file = Assert.Single(Directory.GetFiles(directory));
            Assert.Equal(first + ".key", Path.GetFileName(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file).Trim()).Length);

            await using (var app = CertificatesServer.Build(CertificatesServer.DefaultSettings(UnusedDatabase, directory)))
            {
                Assert.Equal(first, app.Services.GetRequiredService<KeyEncryptionKeyRing>().CurrentId);
            }
            Assert.Single(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void KEK_file_readable_by_others_is_refused_and_config_KEKs_need_a_current_id()
    {
        var directory = Directory.CreateTempSubdirectory("encimap-kekmode-").FullName;
        try
        {
            KeyEncryptionKeyRing.GenerateKeyFile(directory, "loose");
            File.SetUnixFileMode(Path.Combine(directory, "loose.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            var e = Assert.Throws<InvalidOperationException>(() => KeyEncryptionKeyRing.Load(new CertificateOptions { KekDirectory = directory }));
            Assert.Contains("chmod 600", e.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var keyA = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray());
        var keyB = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray());
        var options = new CertificateOptions { Keks = { ["a"] = keyA, ["b"] = keyB } };
        var several = Assert.Throws<InvalidOperationException>(() => KeyEncryptionKeyRing.Load(options));
        Assert.Contains("CurrentKekId", several.Message);
        options.CurrentKekId = "b";
        using var ring = KeyEncryptionKeyRing.Load(options);
        Assert.Equal("b", ring.CurrentId);
        Assert.Equal(["a", "b"], ring.Ids.Order());

        var malformed = new CertificateOptions { Keks = { ["short"] = Convert.ToBase64String(new byte[16]) } };
        var bad = Assert.Throws<InvalidOperationException>(() => KeyEncryptionKeyRing.Load(malformed));
        Assert.DoesNotContain(Convert.ToBase64String(new byte[16]), bad.Message);
    }

    [Fact]
    public async Task Health_is_unhealthy_when_the_database_is_unreachable()
    {
        await using var databases = await TestDatabases.CreateAsync();
        await using var server = await CertificatesServer.StartAsync(UnusedDatabase);
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        var response = await http.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var alive = await http.GetAsync("/alive");
        Assert.True(alive.IsSuccessStatusCode);
    }
}

namespace Encimap.Intake.Tests;

/// <summary>
/// Real-world messages: the MIME corpus (tests/TestData/mime) and the intake's own
/// (tests/TestData/intake), each under the test fleet's size limit.
/// </summary>
public static class Corpus
{
    public static IReadOnlyList<(string Name, byte[] Raw)> Messages()
    {
        var messages = new List<(string, byte[])>();
        foreach (var folder in new[] { "mime", "intake" })
        {
            var directory = Path.Combine(Tools.RepositoryRoot, "tests", "TestData", folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*.eml").Order(StringComparer.Ordinal))
            {
                var raw = File.ReadAllBytes(file);
                if (raw.Length is > 0 and <= IntakeFixture.MaxMessageBytes)
                {
                    messages.Add(($"{folder}/{Path.GetFileName(file)}", raw));
                }
            }
        }

        Assert.True(messages.Count >= 5, "the intake corpus is missing");
        return messages;
    }

    public static byte[] Named(string name) => File.ReadAllBytes(Path.Combine(Tools.RepositoryRoot, "tests", "TestData", name));

    /// <summary>A small message with a unique Message-ID.</summary>
    public static byte[] Unique(string tag, int bodyBytes = 200)
    {
        var body = new string('x', bodyBytes);
        return System.Text.Encoding.ASCII.GetBytes(
            $"From: Sender <sender@sender.example>\r\nTo: someone@call.example\r\nDate: Thu, 19 Nov 2026 10:00:00 +0000\r\n" +
            $"Message-ID: <{tag}.{Guid.NewGuid():N}@sender.example>\r\nSubject: {tag}\r\n\r\n{body}\r\n");
    }
}

using System.Text;

namespace Encimap.Mime.Tests;

/// <summary>The message corpus under tests/TestData/mime and helpers to describe parse results.</summary>
internal static class Corpus
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "TestData", "mime");

    public static IEnumerable<string> Names =>
        System.IO.Directory.EnumerateFiles(Directory, "*.eml").Select(Path.GetFileName).Order()!;

    public static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    public static MimeMessage Parse(string name) => MimeMessage.Parse(Load(name));

    public static MimeMessage ParseText(string text, MimeParserOptions? options = null) =>
        MimeMessage.Parse(Encoding.UTF8.GetBytes(text), options);

    /// <summary>
    /// The part tree in one line: "multipart/mixed[text/plain,message/rfc822{multipart/alternative[...]}]".
    /// </summary>
    public static string Describe(MimeEntity entity)
    {
        var text = new StringBuilder(entity.ContentType.MimeType);
        if (entity.Children.Count > 0)
        {
            text.Append('[').AppendJoin(',', entity.Children.Select(Describe)).Append(']');
        }
        if (entity.EncapsulatedMessage is { } message)
        {
            text.Append('{').Append(Describe(message.Root)).Append('}');
        }
        return text.ToString();
    }

    public static IEnumerable<MimeEntity> AllEntities(MimeEntity entity)
    {
        yield return entity;
        foreach (var child in entity.Children)
        {
            foreach (var descendant in AllEntities(child)) yield return descendant;
        }
        if (entity.EncapsulatedMessage is { } message)
        {
            foreach (var descendant in AllEntities(message.Root)) yield return descendant;
        }
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Asserts what must hold for every entity of every message, however damaged.</summary>
    public static void AssertOffsetsWithin(MimeMessage message)
    {
        var length = message.Raw.Length;
        foreach (var entity in AllEntities(message.Root))
        {
            Assert.InRange(entity.HeaderStart, 0, length);
            Assert.InRange(entity.HeaderLength, 0, length - entity.HeaderStart);
            Assert.Equal(entity.HeaderStart + entity.HeaderLength, entity.BodyStart);
            Assert.InRange(entity.BodyLength, 0, length - entity.BodyStart);
            foreach (var child in entity.Children)
            {
                Assert.InRange(child.HeaderStart, entity.BodyStart, entity.BodyStart + entity.BodyLength);
                Assert.InRange(child.BodyStart + child.BodyLength, entity.BodyStart, entity.BodyStart + entity.BodyLength);
            }
        }
    }
}

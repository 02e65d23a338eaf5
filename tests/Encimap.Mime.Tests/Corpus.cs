using System.Text;

namespace Encimap.Mime.Tests;

/// <summary>The message corpus under tests/TestData/mime and helpers to describe parse results.</summary>
internal static class Corpus
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "TestData", "mime");

    public static IEnumerable<string> Names =>
        System.IO.Directory.EnumerateFiles(Directory, "*.eml").Select(Path.GetFileName).Order()!;

    public static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    public static BodyStructure Structure(string name) => BodyStructure.Parse(Load(name));

    public static BodyStructure StructureOf(string text) => BodyStructure.Parse(Encoding.UTF8.GetBytes(text));

    public static Envelope EnvelopeOf(string text) => Envelope.FromHeaders(MessageReader.ReadHeaders(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The part tree in one line: "multipart/mixed[text/plain,message/rfc822{multipart/alternative[...]}]".
    /// </summary>
    public static string Describe(BodyStructure body)
    {
        var text = new StringBuilder($"{body.Type}/{body.Subtype}");
        if (body.Children.Count > 0)
        {
            text.Append('[').AppendJoin(',', body.Children.Select(Describe)).Append(']');
        }
        if (body.Message is { } message)
        {
            text.Append('{').Append(Describe(message)).Append('}');
        }
        return text.ToString();
    }

    public static IEnumerable<BodyStructure> AllParts(BodyStructure body)
    {
        yield return body;
        foreach (var child in body.Children)
        {
            foreach (var descendant in AllParts(child)) yield return descendant;
        }
        if (body.Message is { } message)
        {
            foreach (var descendant in AllParts(message)) yield return descendant;
        }
    }

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The body of a part as a slice of the message, the way BODY[n] serves it.</summary>
    public static string Body(byte[] message, BodyStructure part) => Text(message.AsSpan(part.BodyStart, part.BodyLength));

    /// <summary>The header of a part as a slice of the message, the way BODY[n.MIME] serves it.</summary>
    public static string Header(byte[] message, BodyStructure part) => Text(message.AsSpan(part.HeaderStart, part.HeaderLength));

    /// <summary>A part's content with its transfer encoding undone, the way BINARY[n] serves it.</summary>
    public static byte[] Decoded(byte[] message, BodyStructure part) =>
        TransferDecoding.Decode(part.Encoding, message.AsMemory(part.BodyStart, part.BodyLength)).ToArray();

    /// <summary>Asserts what must hold for every part of every message, however damaged.</summary>
    public static void AssertOffsetsWithin(BodyStructure root, int length)
    {
        foreach (var part in AllParts(root))
        {
            Assert.InRange(part.HeaderStart, 0, length);
            Assert.InRange(part.HeaderLength, 0, length - part.HeaderStart);
            Assert.Equal(part.HeaderStart + part.HeaderLength, part.BodyStart);
            Assert.InRange(part.BodyLength, 0, length - part.BodyStart);
            Assert.Equal(part.BodyLength, part.Size);
            foreach (var child in part.Children)
            {
                Assert.InRange(child.HeaderStart, part.BodyStart, part.BodyStart + part.BodyLength);
                Assert.InRange(child.BodyStart + child.BodyLength, part.BodyStart, part.BodyStart + part.BodyLength);
            }
        }
    }
}

using System.Text;
using Encimap.Contracts.Intake;
using Encimap.Mime;
using Google.Protobuf;

namespace Encimap.Intake.Tests;

/// <summary>Checks of the stored form that do not need the key.</summary>
public static class StoredMessageAssert
{
    private static readonly string[] Copied = ["From", "Sender", "Reply-To", "To", "Cc", "Date", "Message-ID", "In-Reply-To", "References", "Subject"];
    private static readonly string[] Fixed = ["MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "X-Encimap-Encrypted"];

    /// <summary>
    /// The outer header: Received first (with <paramref name="receivedStart"/>), then the copied
    /// fields exactly as in the original (CRLF), Subject "..." when hidden, then the fixed S/MIME
    /// fields; CRLF everywhere; base64 body in lines of at most 76 characters.
    /// </summary>
    public static void OuterHeader(byte[] original, byte[] stored, bool hideSubject, string receivedStart, string? envelopeSender = null)
    {
        Assert.False(HasBareLineFeed(stored), "the stored message has a bare LF or CR");
        var source = MessageReader.ReadHeaders(original);
        var parsed = MessageReader.ReadHeaders(stored);
        var fields = parsed.ToList();

        Assert.Equal("Received", fields[0].Field);
        Assert.StartsWith(receivedStart, Encoding.ASCII.GetString(RawHeader.Field(fields[0])));

        var expected = new List<string>();
        foreach (var name in Copied)
        {
            var field = RawHeader.First(source, name);
            if (name == "Subject" && hideSubject)
            {
                expected.Add("Subject: ...");
            }
            else if (field is not null)
            {
                expected.Add(Latin1(Crlf(RawHeader.Field(field))));
            }
            else if (name == "Date")
            {
                expected.Add("Date: *");
            }
            else if (name == "From" && !string.IsNullOrEmpty(envelopeSender))
            {
                expected.Add($"From: <{envelopeSender}>");
            }
        }

        var copied = fields.Skip(1).Take(expected.Count).Select(f => Latin1(RawHeader.Field(f))).ToList();
        Assert.Equal(expected.Count, copied.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i] == "Date: *")
            {
                Assert.StartsWith("Date: ", copied[i]);
                Assert.True(MimeKit.Utils.DateUtils.TryParse(copied[i]["Date: ".Length..], out _));
            }
            else
            {
                Assert.Equal(expected[i], copied[i]);
            }
        }

        Assert.Equal(Fixed, fields.Skip(1 + expected.Count).Select(f => f.Field).ToArray());
        Assert.Equal(1 + expected.Count + Fixed.Length, fields.Count);
        Assert.Equal("application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m", RawHeader.Value(parsed, "Content-Type"));
        Assert.Equal("attachment; filename=smime.p7m", RawHeader.Value(parsed, "Content-Disposition"));
        Assert.Equal("at-rest", RawHeader.Value(parsed, "X-Encimap-Encrypted"));

        var structure = BodyStructure.Parse(stored);
        var body = Encoding.ASCII.GetString(stored, structure.BodyStart, structure.BodyLength);
        var lines = body.Split("\r\n");
        Assert.Equal("", lines[^1]);
        Assert.All(lines[..^1], line => Assert.InRange(line.Length, 1, 76));
        Assert.All(lines[..^2], line => Assert.Equal(76, line.Length));
    }

    public static DeliverRequest Request(byte[] raw, params string[] recipients)
    {
        var request = new DeliverRequest
        {
            EnvelopeSender = "sender@sender.example",
            RawMessage = ByteString.CopyFrom(raw),
            ClientAddress = "192.0.2.55",
            ClientHelo = "mx.sender.example",
            ReceivedProtocol = "ESMTPS",
        };
        request.Recipients.AddRange(recipients);
        return request;
    }

    public const string GrpcReceived = "Received: from mx.sender.example (192.0.2.55)\r\n\tby intake.test.example with ESMTPS id ";

    public const string HttpReceived = "Received: from [127.0.0.1] (127.0.0.1)\r\n\tby intake.test.example with HTTP id ";

    public static byte[] Crlf(byte[] bytes)
    {
        var output = new List<byte>(bytes.Length + 16);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\r')
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
                if (i + 1 < bytes.Length && bytes[i + 1] == '\n')
                {
                    i++;
                }
            }
            else if (bytes[i] == '\n')
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
            }
            else
            {
                output.Add(bytes[i]);
            }
        }

        return output.ToArray();
    }

    private static bool HasBareLineFeed(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))
            {
                return true;
            }

            if (bytes[i] == '\r' && (i + 1 == bytes.Length || bytes[i + 1] != '\n'))
            {
                return true;
            }
        }

        return false;
    }

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}

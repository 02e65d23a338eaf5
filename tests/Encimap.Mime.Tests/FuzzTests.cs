using System.Diagnostics;
using System.Text;

namespace Encimap.Mime.Tests;

/// <summary>
/// Seeded mutations of the corpus (bit flips, truncations, duplicated and removed lines, damaged
/// boundaries, changed line endings): nothing may throw, and every offset stays in the message.
/// Deterministic: the same seed gives the same inputs.
/// </summary>
public class FuzzTests
{
    private const int Seed = 20231121;
    private const int Iterations = 2500;

    [Fact]
    public void Mutated_messages_never_throw_and_offsets_stay_within_the_message()
    {
        var random = new Random(Seed);
        var corpus = Corpus.Names.Where(name => name != "header-line-1mb.eml").Select(Corpus.Load).ToArray();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < Iterations; i++)
        {
            var input = corpus[random.Next(corpus.Length)];
            var mutations = random.Next(1, 5);
            for (var m = 0; m < mutations; m++) input = Mutate(input, random);
            try
            {
                Exercise(input);
            }
            catch (Exception exception) when (exception is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"iteration {i}: {exception}\ninput (base64): {Convert.ToBase64String(input)}");
            }
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    /// <summary>Everything a consumer touches: headers, ENVELOPE, BODYSTRUCTURE, JSON, sections, BINARY.</summary>
    private static void Exercise(byte[] input)
    {
        var structure = BodyStructure.Parse(input);
        Corpus.AssertOffsetsWithin(structure, input.Length);
        var headers = MessageReader.ReadHeaders(input);
        foreach (var field in headers)
        {
            _ = RawHeader.Value(field);
            _ = field.Value;
        }
        Assert.Equal(structure, MimeJson.DeserializeBodyStructure(MimeJson.Serialize(structure)));
        var envelope = Envelope.FromHeaders(headers);
        Assert.Equal(envelope, MimeJson.DeserializeEnvelope(MimeJson.Serialize(envelope)));
        foreach (var section in new[] { "1", "1.1", "2", "2.1", "1.2.1", "3" })
        {
            if (structure.FindPart(section) is { IsMultipart: false } part)
            {
                _ = Corpus.Decoded(input, part);
            }
        }
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        if (input.Length == 0) return input;
        var lines = SplitLines(input);
        switch (random.Next(9))
        {
            case 0: // bit flips
            {
                var copy = (byte[])input.Clone();
                for (var k = random.Next(1, 8); k > 0; k--) copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            }
            case 1: // truncation
                return input[..random.Next(input.Length)];
            case 2: // duplicated line
            {
                var at = random.Next(lines.Count);
                lines.Insert(at, lines[at]);
                return Join(lines);
            }
            case 3: // removed lines
            {
                var at = random.Next(lines.Count);
                lines.RemoveRange(at, Math.Min(random.Next(1, 4), lines.Count - at));
                return Join(lines);
            }
            case 4: // boundary damage: alter, drop or duplicate a delimiter line
            {
                var delimiters = Enumerable.Range(0, lines.Count).Where(k => lines[k].AsSpan().StartsWith("--"u8)).ToList();
                if (delimiters.Count == 0) return input;
                var at = delimiters[random.Next(delimiters.Count)];
                switch (random.Next(4))
                {
                    case 0: lines.RemoveAt(at); break;
                    case 1: lines.Insert(at, lines[at]); break;
                    case 2: lines[at] = lines[at][..random.Next(lines[at].Length + 1)]; break;
                    default:
                    {
                        var line = (byte[])lines[at].Clone();
                        if (line.Length > 2) line[random.Next(2, line.Length)] = (byte)"-=_x \t\r\n"[random.Next(8)];
                        lines[at] = line;
                        break;
                    }
                }
                return Join(lines);
            }
            case 5: // line endings: CRLF to LF or the reverse, everywhere
                return random.Next(2) == 0
                    ? Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(input).Replace("\r\n", "\n"))
                    : Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(input).Replace("\n", "\r\n"));
            case 6: // random bytes inserted
            {
                var junk = new byte[random.Next(1, 64)];
                random.NextBytes(junk);
                var at = random.Next(input.Length);
                return [.. input[..at], .. junk, .. input[at..]];
            }
            case 7: // swapped lines
            {
                var a = random.Next(lines.Count);
                var b = random.Next(lines.Count);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return Join(lines);
            }
            default: // a header-ish line inserted somewhere
            {
                string[] snippets =
                [
                    "Content-Type: multipart/mixed; boundary=\"--\"", "Content-Type: message/rfc822",
                    "Content-Transfer-Encoding: base64", "Content-Type: text/plain; charset*0*=x''%; charset*1=\"",
                    "From: \"unterminated <", "Date: 99 Foo 99999 99:99:99 +9999", "=?utf-8?b?====?=", "--", " folded",
                ];
                lines.Insert(random.Next(lines.Count + 1), Encoding.ASCII.GetBytes(snippets[random.Next(snippets.Length)] + "\r\n"));
                return Join(lines);
            }
        }
    }

    private static List<byte[]> SplitLines(byte[] input)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != (byte)'\n') continue;
            lines.Add(input[start..(i + 1)]);
            start = i + 1;
        }
        if (start < input.Length) lines.Add(input[start..]);
        return lines;
    }

    private static byte[] Join(List<byte[]> lines) => lines.SelectMany(line => line).ToArray();
}

namespace Encimap.Imap.Protocol.Tests;

/// <summary>The atom, astring, tag, quoted and literal rules of RFC 9051 §9, exactly.</summary>
public sealed class GrammarTests
{
    public static TheoryData<string, ImapCommand> Valid => new()
    {
        // "~", "[" and "+" are ATOM-CHARs; "]" is an ASTRING-CHAR.
        { "a SELECT ~foo", new("a", "SELECT", false, new SelectArguments("~foo")) },
        { "a SELECT ~{3}\r\nfoo".Replace("~{3}\r\nfoo", "\"~{3}\""), new("a", "SELECT", false, new SelectArguments("~{3}")) },
        { "a STATUS ~foo/[bar]+ (MESSAGES)", new("a", "STATUS", false, new StatusArguments("~foo/[bar]+", ["MESSAGES"])) },
        { "a LOGIN user] pass[word", new("a", "LOGIN", false, new LoginArguments("user]", "pass[word")) },
        { "a] NOOP", new("a]", "NOOP", false, NoArguments.Instance) },
        { "~1 NOOP", new("~1", "NOOP", false, NoArguments.Instance) },
        { "a LIST \"\" ~*", new("a", "LIST", false, new ListArguments("", ["~*"])) },
        { "a LOGIN \"Grüße\" {2+}\r\n\u00e9", new("a", "LOGIN", false, new LoginArguments("Grüße", "é")) },
        { "a SEARCH *", new("a", "SEARCH", false, new SearchArguments(null, new SearchSet(SequenceSet.Of(SequenceSet.Star), false))) },
        { "a SEARCH RETURN () 1000", new("a", "SEARCH", false, new SearchArguments(null, new SearchSet(SequenceSet.Of(1000), false), SearchReturn.All)) },
        { "a SEARCH RETURN (MIN) CHARSET UTF-8 *:5", new("a", "SEARCH", false, new SearchArguments("UTF-8", new SearchSet(SequenceSet.Range(SequenceSet.Star, 5), false), SearchReturn.Min)) },
        { "a SEARCH charset us-ascii TEXT returned", new("a", "SEARCH", false, new SearchArguments("US-ASCII", new SearchText(false, "returned"))) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses(string raw, ImapCommand expected) => Assert.Equal(expected, ImapParser.Parse(raw));

    public static TheoryData<string, string> Invalid => new()
    {
        // "+" may not be in a tag, 8-bit bytes not in an atom, NUL not in a quoted string.
        { "a+ NOOP", "expected ' '" },
        { "a SELECT Entwürfe", "unexpected characters at the end of the command" },
        { "a LOGIN \"nul\0\" x", "NUL in a quoted string" },
        // "{n-}" is no literal syntax (LITERAL- uses "{n+}" too, RFC 7888); literal8 is for APPEND only.
        { "a LOGIN {3-}\r\nabc x", "expected '}'" },
        { "a LOGIN ~{3}\r\nabc x", "expected ' '" },
        { "a SEARCH RETURN (MIN ) ALL", "expected an atom" },
        { "a SEARCH MODSEQ 9223372036854775808", "number too large" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects(string raw, string message) => Assert.Equal(message, Assert.Throws<ImapParseException>(() => ImapParser.Parse(raw)).Message);

    [Fact]
    public void Quoted_strings_are_utf8()
    {
        var utf8 = "a LOGIN \"caf\u00e9\" x\r\n"u8.ToArray();
        var bytes = System.Text.Encoding.Latin1.GetBytes("a LOGIN \"caf\u00e9\" x\r\n");
        Assert.Equal("a quoted string that is not UTF-8", Assert.Throws<ImapParseException>(() => ImapParser.Parse(bytes)).Message);
        Assert.Equal(new LoginArguments("café", "x"), ImapParser.Parse(utf8).Arguments);
    }

    [Fact]
    public async Task A_missing_mailbox_whose_name_starts_with_a_tilde_is_nonexistent_not_bad()
    {
        await using var t = new Transcript(new MemoryStore());
        await t.Exchange("a LOGIN fred secret");
        Assert.Equal(["b NO [NONEXISTENT] No such mailbox"], await t.Exchange("b SELECT ~foo"));
        Assert.Equal(["c OK CREATE completed"], await t.Exchange("c CREATE ~foo"));
        Assert.Equal("d OK [READ-WRITE] SELECT completed", (await t.Exchange("d SELECT ~foo"))[^1]);
        Assert.Equal(["* LIST (\\HasNoChildren) \"/\" ~foo", "e OK LIST completed"], await t.Exchange("e LIST \"\" ~*"));
    }
}

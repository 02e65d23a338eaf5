namespace Encimap.Mime.Tests;

public class AddressParserTests
{
    /// <summary>Addresses as "name|route|mailbox|host" with "~" for null, joined by " ; ".</summary>
    private static string Describe(string header) => string.Join(" ; ", AddressParser.Parse(header).Select(a =>
        $"{a.Name ?? "~"}|{a.Route ?? "~"}|{a.Mailbox ?? "~"}|{a.Host ?? "~"}"));

    [Theory]
    [InlineData("user@example.com", "~|~|user|example.com")]
    [InlineData("<user@example.com>", "~|~|user|example.com")]
    [InlineData("John Doe <john@example.com>", "John Doe|~|john|example.com")]
    [InlineData("John Q. Public <jqp@example.com>", "John Q. Public|~|jqp|example.com")]
    [InlineData("\"Doe, John\" <john@example.com>", "Doe, John|~|john|example.com")]
    [InlineData("\"John \\\"Johnny\\\" Doe\" <john@example.com>", "John \"Johnny\" Doe|~|john|example.com")]
    [InlineData("\"a\\\\b\" <ab@example.com>", "a\\b|~|ab|example.com")]
    [InlineData("=?UTF-8?Q?J=C3=BCrgen?= <j@example.de>", "=?UTF-8?Q?J=C3=BCrgen?=|~|j|example.de")]
    [InlineData("a@example.com, b@example.org", "~|~|a|example.com ; ~|~|b|example.org")]
    [InlineData("\"Smith, Anna\" <anna@example.net>, Bob <bob@example.com>", "Smith, Anna|~|anna|example.net ; Bob|~|bob|example.com")]
    // quoted local parts keep their quotes so that mailbox@host stays a valid address
    [InlineData("\"john doe\"@example.com", "~|~|\"john doe\"|example.com")]
    [InlineData("first.last@sub.example.com", "~|~|first.last|sub.example.com")]
    [InlineData("user@[192.0.2.1]", "~|~|user|[192.0.2.1]")]
    // comments: skipped, used as the name when there is no phrase
    [InlineData("john@example.com (John Doe)", "John Doe|~|john|example.com")]
    [InlineData("John (the man) Doe <john@example.com>", "John Doe|~|john|example.com")]
    [InlineData("<john@example.com> (trailing)", "trailing|~|john|example.com")]
    [InlineData("john(comment)@example.com", "comment|~|john|example.com")]
    // groups (RFC 5322 §3.4) as RFC 3501 §7.4.2 brackets them
    [InlineData("undisclosed-recipients:;", "~|~|undisclosed-recipients|~ ; ~|~|~|~")]
    [InlineData("Team: a@example.com, B <b@example.com>;", "~|~|Team|~ ; ~|~|a|example.com ; B|~|b|example.com ; ~|~|~|~")]
    [InlineData("Team: a@example.com; c@example.org", "~|~|Team|~ ; ~|~|a|example.com ; ~|~|~|~ ; ~|~|c|example.org")]
    [InlineData("Unterminated group: a@example.com", "~|~|Unterminated group|~ ; ~|~|a|example.com ; ~|~|~|~")]
    // obsolete forms (RFC 5322 §4.4)
    [InlineData("<@a.example,@b.example:user@host.example>", "~|@a.example,@b.example|user|host.example")]
    [InlineData("Routed <@relay.example:user@host.example>", "Routed|@relay.example|user|host.example")]
    [InlineData("john . doe @ example . com", "~|~|john.doe|example.com")]
    [InlineData(", , a@example.com, ,", "~|~|a|example.com")]
    // what mailers get wrong
    [InlineData("John Doe john@example.com", "John Doe|~|john|example.com")]
    [InlineData("John Doe <john@example.com", "John Doe|~|john|example.com")]
    [InlineData("user", "~|~|user|")]
    [InlineData("Name <user>", "Name|~|user|")]
    [InlineData("\"Unterminated <a@example.com>", "~|~|\"Unterminated <a@example.com>|")]
    [InlineData("a@b@example.com", "~|~|a@b|example.com")]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("<>", "")]
    public void Parses_address_lists(string header, string expected)
    {
        Assert.Equal(expected, Describe(header));
    }

    [Theory]
    [InlineData("<<<@@@>>>")]
    [InlineData(":::;;;,,,")]
    [InlineData("\"")]
    [InlineData("(((unclosed comment")]
    [InlineData("[unclosed literal")]
    [InlineData("a@\u0000\u0001\u007f@@")]
    [InlineData("Group: Inner: x@y;;")]
    [InlineData("<@a,@b:>")]
    [InlineData("\\")]
    public void Garbage_never_throws(string header)
    {
        var addresses = AddressParser.Parse(header);

        Assert.NotNull(addresses);
    }

    [Fact]
    public void Display_names_decode_on_request()
    {
        var address = AddressParser.Parse("\"=?utf-8?B?SsO8cmdlbg==?=\" <j@example.de>")[0];

        Assert.Equal("=?utf-8?B?SsO8cmdlbg==?=", address.Name);
        Assert.Equal("Jürgen", address.DecodedName);
        Assert.Equal("j@example.de", address.Address);
    }

    [Fact]
    public void Group_markers_are_recognisable()
    {
        var addresses = AddressParser.Parse("Friends: a@example.com;");

        Assert.True(addresses[0].IsGroupStart);
        Assert.False(addresses[1].IsGroupStart || addresses[1].IsGroupEnd);
        Assert.True(addresses[2].IsGroupEnd);
        Assert.Null(addresses[0].Address);
    }
}

using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>Raw command → argument record, as a table.</summary>
public sealed class ParserTests
{
    private static readonly DateTimeOffset AppendDate = new(1996, 7, 17, 2, 44, 25, TimeSpan.FromHours(-7));

    public static TheoryData<string, ImapCommand> Commands => new()
    {
        { "a1 CAPABILITY", new("a1", "CAPABILITY", false, NoArguments.Instance) },
        { "a1 noop", new("a1", "NOOP", false, NoArguments.Instance) },
        { "A002 LOGOUT", new("A002", "LOGOUT", false, NoArguments.Instance) },
        { "t STARTTLS", new("t", "STARTTLS", false, NoArguments.Instance) },
        { "a LOGIN fred \"pass word\"", new("a", "LOGIN", false, new LoginArguments("fred", "pass word")) },
        { "a LOGIN {4}\r\nfred {3+}\r\nx\"y", new("a", "LOGIN", false, new LoginArguments("fred", "x\"y")) },
        { "a LOGIN \"q\\\"uote\" \"back\\\\slash\"", new("a", "LOGIN", false, new LoginArguments("q\"uote", "back\\slash")) },
        { "a AUTHENTICATE PLAIN", new("a", "AUTHENTICATE", false, new AuthenticateArguments("PLAIN", null)) },
        { "a AUTHENTICATE plain AGZyZWQAc2VjcmV0", new("a", "AUTHENTICATE", false, new AuthenticateArguments("PLAIN", "AGZyZWQAc2VjcmV0")) },
        { "a AUTHENTICATE PLAIN =", new("a", "AUTHENTICATE", false, new AuthenticateArguments("PLAIN", "=")) },
        { "a ENABLE CONDSTORE utf8=accept", new("a", "ENABLE", false, new EnableArguments(["CONDSTORE", "UTF8=ACCEPT"])) },
        { "a ID NIL", new("a", "ID", false, new IdArguments(null)) },
        { "a ID (\"name\" \"mbsync\" \"version\" NIL)", new("a", "ID", false, new IdArguments([new("name", "mbsync"), new("version", null)])) },
        { "a NAMESPACE", new("a", "NAMESPACE", false, NoArguments.Instance) },
        { "a SELECT inbox", new("a", "SELECT", false, new SelectArguments("INBOX")) },
        { "a SELECT \"Sent\" (CONDSTORE)", new("a", "SELECT", false, new SelectArguments("Sent", true)) },
        { "a EXAMINE Archive", new("a", "EXAMINE", false, new SelectArguments("Archive")) },
        { "a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",
            new("a", "SELECT", false, new SelectArguments("INBOX", false, new QresyncParameters(67890007, 20050715194045000, SequenceSet.Parse("41,43:211,214:541")))) },
        { "a EXAMINE INBOX (CONDSTORE QRESYNC (1 2 (1:3 5:7)))",
            new("a", "EXAMINE", false, new SelectArguments("INBOX", true, new QresyncParameters(1, 2, null, SequenceSet.Range(1, 3), SequenceSet.Range(5, 7)))) },
        { "a CREATE Work/2024", new("a", "CREATE", false, new MailboxArguments("Work/2024")) },
        { "a CREATE Stuff (USE (\\Archive))", new("a", "CREATE", false, new MailboxArguments("Stuff")) },
        { "a DELETE \"My &AMQ-\"", new("a", "DELETE", false, new MailboxArguments("My &AMQ-")) },
        { "a RENAME old new", new("a", "RENAME", false, new RenameArguments("old", "new")) },
        { "a SUBSCRIBE Junk", new("a", "SUBSCRIBE", false, new MailboxArguments("Junk")) },
        { "a UNSUBSCRIBE Junk", new("a", "UNSUBSCRIBE", false, new MailboxArguments("Junk")) },
        { "a LIST \"\" *", new("a", "LIST", false, new ListArguments("", ["*"])) },
        { "a LIST \"\" \"\"", new("a", "LIST", false, new ListArguments("", [""])) },
        { "a LIST \"\" %/x]", new("a", "LIST", false, new ListArguments("", ["%/x]"])) },
        { "a LIST (SPECIAL-USE) \"\" *", new("a", "LIST", false, new ListArguments("", ["*"], ListSelection.SpecialUse, Extended: true)) },
        { "a LIST \"\" * RETURN (SPECIAL-USE SUBSCRIBED)", new("a", "LIST", false, new ListArguments("", ["*"], ListSelection.None, ListReturn.SpecialUse | ListReturn.Subscribed, Extended: true)) },
        { "a LIST (SUBSCRIBED) \"\" (INBOX \"Sent\") RETURN (STATUS (MESSAGES UNSEEN))",
            new("a", "LIST", false, new ListArguments("", ["INBOX", "Sent"], ListSelection.Subscribed, ListReturn.Status, ["MESSAGES", "UNSEEN"], true)) },
        { "a XLIST \"\" *", new("a", "XLIST", false, new ListArguments("", ["*"])) },
        { "a LSUB \"\" %", new("a", "LSUB", false, new ListArguments("", ["%"])) },
        { "a STATUS INBOX (MESSAGES UIDNEXT uidvalidity UNSEEN HIGHESTMODSEQ)",
            new("a", "STATUS", false, new StatusArguments("INBOX", ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ"])) },
        { "a APPEND Drafts (\\Seen \\draft $Label) \"17-Jul-1996 02:44:25 -0700\" {5}\r\nHello",
            new("a", "APPEND", false, new AppendArguments("Drafts", [new AppendMessage([@"\Seen", @"\Draft", "$Label"], AppendDate, "Hello"u8.ToArray())])) },
        { "a APPEND INBOX {3+}\r\nabc", new("a", "APPEND", false, new AppendArguments("INBOX", [new AppendMessage([], null, "abc"u8.ToArray())])) },
        { "a APPEND INBOX \" 7-Jul-1996 02:44:25 +0000\" ~{3}\r\nabc",
            new("a", "APPEND", false, new AppendArguments("INBOX", [new AppendMessage([], new DateTimeOffset(1996, 7, 7, 2, 44, 25, TimeSpan.Zero), "abc"u8.ToArray())])) },
        { "a APPEND Sent (\\Seen) {3+}\r\none ~{3+}\r\ntwo \" 7-Jul-1996 02:44:25 +0000\" {5+}\r\nthree",
            new("a", "APPEND", false, new AppendArguments("Sent", [
                new AppendMessage([@"\Seen"], null, "one"u8.ToArray()), new AppendMessage([], null, "two"u8.ToArray()),
                new AppendMessage([], new DateTimeOffset(1996, 7, 7, 2, 44, 25, TimeSpan.Zero), "three"u8.ToArray())])) },
        { "a CHECK", new("a", "CHECK", false, NoArguments.Instance) },
        { "a CLOSE", new("a", "CLOSE", false, NoArguments.Instance) },
        { "a UNSELECT", new("a", "UNSELECT", false, NoArguments.Instance) },
        { "a EXPUNGE", new("a", "EXPUNGE", false, NoArguments.Instance) },
        { "a UID EXPUNGE 3:5,9", new("a", "EXPUNGE", true, new ExpungeArguments(new SequenceSet([new(3, 5), new(9, 9)]))) },
        { "a IDLE", new("a", "IDLE", false, NoArguments.Instance) },
        { "a FETCH 1:* FAST", new("a", "FETCH", false, new FetchArguments(SequenceSet.All, [FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size])) },
        { "a FETCH 2 ALL", new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(2), [FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size, FetchItem.Envelope])) },
        { "a FETCH 2 FULL", new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(2), [FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size, FetchItem.Envelope, FetchItem.Body])) },
        { "a FETCH 1 BODY", new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(1), [FetchItem.Body])) },
        { "a UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)",
            new("a", "FETCH", true, new FetchArguments(SequenceSet.All, [FetchItem.Uid, FetchItem.Flags, FetchItem.Envelope, FetchItem.BodyStructure, FetchItem.Rfc822Size])) },
        { "a UID FETCH 5 (UID BODY.PEEK[])", new("a", "FETCH", true, new FetchArguments(SequenceSet.Of(5), [FetchItem.Uid, new(FetchAttribute.BodySection, BodySection.Whole, true)])) },
        { "a FETCH 1 BODY[]<0.100>", new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(1), [new(FetchAttribute.BodySection, BodySection.Whole, false, new Partial(0, 100))])) },
        { "a FETCH 1 (BODY.PEEK[HEADER.FIELDS (From \"Subject\" x-tuid)])",
            new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(1), [new(FetchAttribute.BodySection, new BodySection([], SectionSpecifier.HeaderFields, ["FROM", "SUBJECT", "X-TUID"]), true)])) },
        { "a FETCH 1 BODY[HEADER.FIELDS.NOT (DATE)]",
            new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(1), [new(FetchAttribute.BodySection, new BodySection([], SectionSpecifier.HeaderFieldsNot, ["DATE"]))])) },
        { "a FETCH 1 (BODY[1.2.MIME] BODY[TEXT] BODY[1] BODY.PEEK[2.HEADER])",
            new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(1), [
                new(FetchAttribute.BodySection, new BodySection([1, 2], SectionSpecifier.Mime)),
                new(FetchAttribute.BodySection, new BodySection([], SectionSpecifier.Text)),
                new(FetchAttribute.BodySection, new BodySection([1])),
                new(FetchAttribute.BodySection, new BodySection([2], SectionSpecifier.Header), true)])) },
        { "a FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT)",
            new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(1), [new(FetchAttribute.Rfc822), new(FetchAttribute.Rfc822Header, Peek: true), new(FetchAttribute.Rfc822Text)])) },
        { "a FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1] BINARY[2]<0.10>)",
            new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(1), [
                new(FetchAttribute.Binary, new BodySection([1]), true), new(FetchAttribute.BinarySize, new BodySection([1])),
                new(FetchAttribute.Binary, new BodySection([2]), false, new Partial(0, 10))])) },
        { "a FETCH 1:3 (FLAGS) (CHANGEDSINCE 12345)", new("a", "FETCH", false, new FetchArguments(SequenceSet.Range(1, 3), [FetchItem.Flags, FetchItem.ModSeq], 12345)) },
        { "a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)",
            new("a", "FETCH", true, new FetchArguments(SequenceSet.Range(300, 500), [FetchItem.Uid, FetchItem.Flags, FetchItem.ModSeq], 12345, Vanished: true)) },
        { "a FETCH * (MODSEQ INTERNALDATE)", new("a", "FETCH", false, new FetchArguments(SequenceSet.Of(SequenceSet.Star), [FetchItem.ModSeq, FetchItem.InternalDate])) },
        { "a STORE 1 +FLAGS (\\Deleted)", new("a", "STORE", false, new StoreArguments(SequenceSet.Of(1), StoreMode.Add, false, [@"\Deleted"])) },
        { "a STORE 1:2 -FLAGS.SILENT \\seen", new("a", "STORE", false, new StoreArguments(SequenceSet.Range(1, 2), StoreMode.Remove, true, [@"\Seen"])) },
        { "a UID STORE 7 FLAGS ($Work \\Flagged)", new("a", "STORE", true, new StoreArguments(SequenceSet.Of(7), StoreMode.Replace, false, ["$Work", @"\Flagged"])) },
        { "a STORE 1 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Seen)", new("a", "STORE", false, new StoreArguments(SequenceSet.Of(1), StoreMode.Add, true, [@"\Seen"], 320162338)) },
        { "a STORE 1 FLAGS ()", new("a", "STORE", false, new StoreArguments(SequenceSet.Of(1), StoreMode.Replace, false, [])) },
        { "a COPY 2:4 Trash", new("a", "COPY", false, new CopyArguments(SequenceSet.Range(2, 4), "Trash")) },
        { "a UID COPY 4:* \"Archive\"", new("a", "COPY", true, new CopyArguments(SequenceSet.Range(4, SequenceSet.Star), "Archive")) },
        { "a MOVE 1 Junk", new("a", "MOVE", false, new CopyArguments(SequenceSet.Of(1), "Junk")) },
        { "a UID MOVE 1,3 inbox", new("a", "MOVE", true, new CopyArguments(SequenceSet.Of(1, 3), "INBOX")) },
        { "a SEARCH ALL", new("a", "SEARCH", false, new SearchArguments(null, SearchAll.Instance)) },
        { "a UID SEARCH UNSEEN", new("a", "SEARCH", true, new SearchArguments(null, new SearchFlag(@"\Seen", false))) },
        { "a SEARCH CHARSET UTF-8 SUBJECT {4}\r\ncafé".Replace("{4}", "{5}"), new("a", "SEARCH", false, new SearchArguments("UTF-8", new SearchHeader("Subject", "café"))) },
        { "a SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", new("a", "SEARCH", false, new SearchArguments(null, new SearchAnd([
            new SearchFlag(@"\Flagged", true), new SearchDate(SearchDateField.Internal, SearchDateComparison.Since, new DateOnly(1994, 2, 1)),
            new SearchNot(new SearchHeader("From", "Smith"))]))) },
        { "a SEARCH OR (ANSWERED DELETED) (DRAFT SEEN) KEYWORD $Work", new("a", "SEARCH", false, new SearchArguments(null, new SearchAnd([
            new SearchOr(new SearchAnd([new SearchFlag(@"\Answered", true), new SearchFlag(@"\Deleted", true)]), new SearchAnd([new SearchFlag(@"\Draft", true), new SearchFlag(@"\Seen", true)])),
            new SearchFlag("$Work", true)]))) },
        { "a SEARCH 1:5 UID 10:* LARGER 100 SMALLER 5000", new("a", "SEARCH", false, new SearchArguments(null, new SearchAnd([
            new SearchSet(SequenceSet.Range(1, 5), false), new SearchSet(SequenceSet.Range(10, SequenceSet.Star), true), new SearchSize(true, 100), new SearchSize(false, 5000)]))) },
        { "a SEARCH HEADER Message-ID <x@y> TO a CC b BCC c BODY d TEXT e", new("a", "SEARCH", false, new SearchArguments(null, new SearchAnd([
            new SearchHeader("Message-ID", "<x@y>"), new SearchHeader("To", "a"), new SearchHeader("Cc", "b"), new SearchHeader("Bcc", "c"),
            new SearchText(true, "d"), new SearchText(false, "e")]))) },
        { "a SEARCH SENTBEFORE 1-Jan-2000 SENTON \"2-Jan-2000\" SENTSINCE 03-Jan-2000 BEFORE 4-Jan-2000 ON 5-Jan-2000", new("a", "SEARCH", false, new SearchArguments(null, new SearchAnd([
            new SearchDate(SearchDateField.Sent, SearchDateComparison.Before, new DateOnly(2000, 1, 1)),
            new SearchDate(SearchDateField.Sent, SearchDateComparison.On, new DateOnly(2000, 1, 2)),
            new SearchDate(SearchDateField.Sent, SearchDateComparison.Since, new DateOnly(2000, 1, 3)),
            new SearchDate(SearchDateField.Internal, SearchDateComparison.Before, new DateOnly(2000, 1, 4)),
            new SearchDate(SearchDateField.Internal, SearchDateComparison.On, new DateOnly(2000, 1, 5))]))) },
        { "a SEARCH NEW OLD RECENT UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD $x", new("a", "SEARCH", false, new SearchArguments(null, new SearchAnd([
            new SearchAnd([new SearchFlag(@"\Recent", true), new SearchFlag(@"\Seen", false)]), new SearchFlag(@"\Recent", false), new SearchFlag(@"\Recent", true),
            new SearchFlag(@"\Answered", false), new SearchFlag(@"\Deleted", false), new SearchFlag(@"\Draft", false), new SearchFlag(@"\Flagged", false), new SearchFlag("$x", false)]))) },
        { "a SEARCH MODSEQ 620162338", new("a", "SEARCH", false, new SearchArguments(null, new SearchModSeq(620162338))) },
        { "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338", new("a", "SEARCH", false, new SearchArguments(null, new SearchModSeq(620162338))) },
        { "a UID SEARCH RETURN (MIN MAX COUNT) UNSEEN", new("a", "SEARCH", true, new SearchArguments(null, new SearchFlag(@"\Seen", false), SearchReturn.Min | SearchReturn.Max | SearchReturn.Count)) },
        { "a SEARCH RETURN () ALL", new("a", "SEARCH", false, new SearchArguments(null, SearchAll.Instance, SearchReturn.All)) },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Parses(string raw, ImapCommand expected)
    {
        var command = ImapParser.Parse(raw);
        Assert.Equal(expected, command);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "", "missing tag" },
        { "a", "expected ' '" },
        { "a FOO", "unknown command FOO" },
        { "a UID LOGIN x y", "UID LOGIN is not a command" },
        { "a LOGIN onlyuser", "expected ' '" },
        { "a SELECT", "expected ' '" },
        { "a FETCH 0 FLAGS", "bad sequence set" },
        { "a FETCH 1:x FLAGS", "bad sequence set" },
        { "a FETCH 1 (FLAGS", "expected ')'" },
        { "a FETCH 1 BODY[WHAT]", "unknown section WHAT" },
        { "a FETCH 1 BODY[]<5.0>", "partial count must be non-zero" },
        { "a STORE 1 FLAGZ (\\Seen)", "unknown STORE item FLAGZ" },
        { "a SEARCH FOO", "unknown SEARCH key FOO" },
        { "a SEARCH SINCE 32-Foo-2020", "bad date 32-Foo-2020" },
        { "a LOGIN \"unterminated", "unterminated quoted string" },
        { "a NOOP extra", "unexpected characters at the end of the command" },
        { "a STATUS INBOX ()", "STATUS needs at least one item" },
        { "a STATUS INBOX (BOGUS)", "unknown STATUS item BOGUS" },
        { "a APPEND INBOX \"bad date\" {1}\r\nx", "bad date-time bad date" },
        { "a LIST (RECURSIVEMATCH) \"\" *", "RECURSIVEMATCH needs another selection option" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void RejectsMalformed(string raw, string message)
    {
        var error = Assert.Throws<ImapParseException>(() => ImapParser.Parse(raw));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void MalformedCommandsKeepTheirTag()
    {
        var error = Assert.Throws<ImapParseException>(() => ImapParser.Parse("x17 FETCH"));
        Assert.Equal("x17", error.Tag);
    }
}

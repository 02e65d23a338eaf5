using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// Parses one complete command (its lines and literals, exactly as received, CRLF included) into
/// an <see cref="ImapCommand"/> with the command's own argument record. Grammar: RFC 3501 §9 with
/// the RFC 9051, LITERAL+, SASL-IR, CONDSTORE, ESEARCH, LIST-EXTENDED and SPECIAL-USE additions.
/// </summary>
public sealed partial class ImapParser
{
    private readonly byte[] _input;
    private int _position;
    private string? _tag;

    private ImapParser(byte[] input)
    {
        _input = input;
    }

    public static ImapCommand Parse(byte[] input) => new ImapParser(input).ParseCommand();

    public static ImapCommand Parse(string input) => Parse(Encoding.UTF8.GetBytes(input.EndsWith("\r\n", StringComparison.Ordinal) ? input : input + "\r\n"));

    private ImapCommand ParseCommand()
    {
        _tag = ReadTag();
        Space();
        var name = ReadAtom().ToUpperInvariant();
        var uid = false;
        if (name == "UID")
        {
            uid = true;
            Space();
            name = ReadAtom().ToUpperInvariant();
            if (name is not ("FETCH" or "STORE" or "COPY" or "MOVE" or "SEARCH" or "EXPUNGE"))
            {
                throw Error($"UID {name} is not a command");
            }
        }

        CommandArguments arguments = name switch
        {
            "CAPABILITY" or "NOOP" or "LOGOUT" or "STARTTLS" or "CHECK" or "CLOSE" or "UNSELECT" or "NAMESPACE" or "IDLE" => NoArguments.Instance,
            "EXPUNGE" => uid ? new ExpungeArguments(SpaceThen(ReadSequenceSet)) : NoArguments.Instance,
            "LOGIN" => new LoginArguments(SpaceThen(ReadAString), SpaceThen(ReadAString)),
            "AUTHENTICATE" => ParseAuthenticate(),
            "ENABLE" => ParseEnable(),
            "ID" => ParseId(),
            "SELECT" or "EXAMINE" => ParseSelect(),
            "CREATE" => ParseCreate(),
            "DELETE" or "SUBSCRIBE" or "UNSUBSCRIBE" => new MailboxArguments(SpaceThen(ReadMailbox)),
            "RENAME" => new RenameArguments(SpaceThen(ReadMailbox), SpaceThen(ReadMailbox)),
            "LIST" or "XLIST" => ParseList(extended: name == "LIST"),
            "LSUB" => new ListArguments(SpaceThen(ReadMailbox), [SpaceThen(ReadListMailbox)]),
            "STATUS" => ParseStatus(),
            "APPEND" => ParseAppend(),
            "FETCH" => ParseFetch(uid),
            "STORE" => ParseStore(),
            "COPY" or "MOVE" => new CopyArguments(SpaceThen(ReadSequenceSet), SpaceThen(ReadMailbox)),
            "SEARCH" => ParseSearch(),
            _ => throw Error($"unknown command {name}"),
        };

        ExpectEnd();
        return new ImapCommand(_tag, name, uid, arguments);
    }
}

namespace Encimap.Imap.Protocol;

// AUTHENTICATE, ENABLE and ID.
public sealed partial class ImapParser
{
    private AuthenticateArguments ParseAuthenticate()
    {
        var mechanism = SpaceThen(ReadAtom).ToUpperInvariant();
        string? initial = null;
        if (Peek() == ' ')
        {
            _position++;
            initial = ReadAtomOrEquals();
        }

        return new AuthenticateArguments(mechanism, initial);
    }

    private EnableArguments ParseEnable()
    {
        var capabilities = new List<string>();
        do
        {
            Space();
            capabilities.Add(ReadAtom().ToUpperInvariant());
        }
        while (Peek() == ' ');
        return new EnableArguments(new EquatableList<string>(capabilities));
    }

    private IdArguments ParseId()
    {
        Space();
        if (TryNil())
        {
            return new IdArguments(null);
        }

        Expect('(');
        var pairs = new List<KeyValuePair<string, string?>>();
        while (Peek() != ')')
        {
            if (pairs.Count > 0)
            {
                Space();
            }

            var key = ReadString();
            Space();
            var value = ReadNString();
            pairs.Add(new(key, value));
            if (pairs.Count > 30)
            {
                throw Error("too many ID fields");
            }
        }

        Expect(')');
        return new IdArguments(new EquatableList<KeyValuePair<string, string?>>(pairs));
    }
}

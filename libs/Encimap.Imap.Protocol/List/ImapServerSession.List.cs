namespace Encimap.Imap.Protocol;

// LIST, XLIST, LSUB and NAMESPACE.
public sealed partial class ImapServerSession
{
    private async Task<bool> NamespaceAsync(ImapCommand c, CancellationToken ct)
    {
        _writer.Raw("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"u8);
        return await OkAsync(c, "NAMESPACE completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> ListAsync(ImapCommand c, ListArguments arguments, CancellationToken ct)
    {
        var response = c.Name;
        if (arguments.Patterns.Count == 1 && arguments.Patterns[0].Length == 0 && arguments.Selection == ListSelection.None)
        {
            // LIST "" "": the hierarchy delimiter and root.
            _writer.Raw($"* {response} (\\Noselect) \"/\" \"\"\r\n");
            return await OkAsync(c, $"{response} completed", ct).ConfigureAwait(false);
        }

        var mailboxes = await _backend.ListMailboxesAsync(ct).ConfigureAwait(false);
        var reference = _utf8 ? arguments.Reference : ModifiedUtf7.Decode(arguments.Reference) ?? arguments.Reference;
        var patterns = arguments.Patterns.Select(p => reference + (_utf8 ? p : ModifiedUtf7.Decode(p) ?? p)).ToList();
        var listed = c.Name == "LSUB" ? ListMatcher.Lsub(patterns, mailboxes) : ListMatcher.List(arguments, patterns, mailboxes, xlist: c.Name == "XLIST");
        if (arguments.Return.HasFlag(ListReturn.Status))
        {
            await EnableCondStoreForAsync(c, arguments.ReturnStatus, ct).ConfigureAwait(false);
        }

        foreach (var mailbox in listed)
        {
            _writer.Raw("* ").Raw(response).Space().FlagList(mailbox.Attributes).Raw(" \"/\" "u8).AString(WireName(mailbox.Name));
            if (mailbox.ChildInfo.Count > 0)
            {
                _writer.Raw(" (\"CHILDINFO\" ("u8);
                for (var i = 0; i < mailbox.ChildInfo.Count; i++)
                {
                    (i > 0 ? _writer.Space() : _writer).String(mailbox.ChildInfo[i]);
                }

                _writer.Raw("))"u8);
            }

            _writer.Crlf();
            if (mailbox.Exists && arguments.Return.HasFlag(ListReturn.Status) && arguments.ReturnStatus is { } items)
            {
                var status = await _backend.StatusAsync(mailbox.Name, ct).ConfigureAwait(false);
                WriteStatus(mailbox.Name, items, status);
            }
        }

        return await OkAsync(c, $"{response} completed", ct).ConfigureAwait(false);
    }
}

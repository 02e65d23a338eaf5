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
        var lsub = c.Name == "LSUB";
        var xlist = c.Name == "XLIST";
        if (arguments.Patterns.Count == 1 && arguments.Patterns[0].Length == 0 && arguments.Selection == ListSelection.None)
        {
            // LIST "" "": the hierarchy delimiter and root.
            _writer.Raw($"* {response} (\\Noselect) \"/\" \"\"\r\n");
            return await OkAsync(c, $"{response} completed", ct).ConfigureAwait(false);
        }

        var mailboxes = await _backend.ListMailboxesAsync(ct).ConfigureAwait(false);
        var names = mailboxes.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var reference = _utf8 ? arguments.Reference : ModifiedUtf7.Decode(arguments.Reference) ?? arguments.Reference;
        var patterns = arguments.Patterns.Select(p => reference + (_utf8 ? p : ModifiedUtf7.Decode(p) ?? p)).ToList();
        var subscribedOnly = lsub || (arguments.Selection & ListSelection.Subscribed) != 0;
        var specialOnly = (arguments.Selection & ListSelection.SpecialUse) != 0;
        var returnSubscribed = (arguments.Return & ListReturn.Subscribed) != 0 || (arguments.Selection & ListSelection.Subscribed) != 0;
        foreach (var mailbox in mailboxes.OrderBy(m => m.Name == "INBOX" ? "" : m.Name, StringComparer.Ordinal))
        {
            if (!patterns.Any(p => Wildcard.Matches(p, mailbox.Name)))
            {
                continue;
            }

            if ((subscribedOnly && !mailbox.Subscribed) || (specialOnly && mailbox.SpecialUse is null))
            {
                continue;
            }

            var attributes = new List<string>();
            var hasChildren = names.Any(n => n.StartsWith(mailbox.Name + "/", StringComparison.Ordinal));
            if (!lsub)
            {
                attributes.Add(hasChildren ? @"\HasChildren" : @"\HasNoChildren");
            }

            if (returnSubscribed && mailbox.Subscribed)
            {
                attributes.Add(@"\Subscribed");
            }

            if (mailbox.SpecialUse is { } special && !lsub)
            {
                attributes.Add(xlist && special == @"\Junk" ? @"\Spam" : special);
            }

            if (xlist && mailbox.Name == "INBOX")
            {
                attributes.Add(@"\Inbox");
            }

            _writer.Raw("* ").Raw(response).Space().FlagList(attributes).Raw(" \"/\" "u8).AString(WireName(mailbox.Name)).Crlf();
            if ((arguments.Return & ListReturn.Status) != 0 && arguments.ReturnStatus is { } items)
            {
                var status = await _backend.StatusAsync(mailbox.Name, ct).ConfigureAwait(false);
                WriteStatus(mailbox.Name, items, status);
            }
        }

        return await OkAsync(c, $"{response} completed", ct).ConfigureAwait(false);
    }
}

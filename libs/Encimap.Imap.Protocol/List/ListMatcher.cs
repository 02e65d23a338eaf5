namespace Encimap.Imap.Protocol;

/// <summary>
/// Which names a LIST, XLIST or LSUB answers, with which attributes: the mailboxes, the names
/// subscribed to whose mailbox is gone (RFC 3501 §6.3.6: a subscription is not removed because
/// its mailbox is), and the levels of the hierarchy that exist only as the parents of mailboxes.
/// </summary>
internal static class ListMatcher
{
    public static IReadOnlyList<ListedMailbox> Lsub(IReadOnlyList<string> patterns, IReadOnlyList<MailboxInfo> mailboxes)
    {
        var byName = ByName(mailboxes);
        var listed = new SortedDictionary<string, ListedMailbox>(MailboxOrder.Instance);
        foreach (var subscribed in byName.Values.Where(m => m.Subscribed))
        {
            if (Matches(patterns, subscribed.Name))
            {
                // LSUB has no \NonExistent: a name without a mailbox cannot be selected.
                listed[subscribed.Name] = new ListedMailbox(subscribed.Name, subscribed.Exists ? [] : [@"\Noselect"], []) { Exists = subscribed.Exists };
                continue;
            }

            // RFC 3501 §6.3.9: "foo/bar" subscribed, "foo" not: LSUB "" % answers foo, \Noselect.
            foreach (var parent in Parents(subscribed.Name))
            {
                if (Matches(patterns, parent) && !(byName.TryGetValue(parent, out var p) && p.Subscribed) && !listed.ContainsKey(parent))
                {
                    listed[parent] = new ListedMailbox(parent, [@"\Noselect"], []) { Exists = p?.Exists ?? false };
                }
            }
        }

        return [.. listed.Values];
    }

    /// <summary>
    /// LIST and XLIST. A name is answered when it matches a pattern and meets the selection
    /// criteria (RFC 5258 §3), or, with RECURSIVEMATCH, when a descendant the patterns do not
    /// reach meets them (CHILDINFO). Parents that are no mailbox are answered when nothing
    /// filters the list, as RFC 3501 §6.3.8 wants them for "%".
    /// </summary>
    public static IReadOnlyList<ListedMailbox> List(ListArguments arguments, IReadOnlyList<string> patterns, IReadOnlyList<MailboxInfo> mailboxes, bool xlist)
    {
        var byName = ByName(mailboxes);
        var existing = mailboxes.Where(m => m.Exists).Select(m => m.Name).ToList();
        var subscribedOnly = (arguments.Selection & ListSelection.Subscribed) != 0;
        var specialOnly = (arguments.Selection & ListSelection.SpecialUse) != 0;
        var recursive = (arguments.Selection & ListSelection.RecursiveMatch) != 0;
        var filtered = subscribedOnly || specialOnly;
        var returnSubscribed = subscribedOnly || (arguments.Return & ListReturn.Subscribed) != 0;
        bool Meets(MailboxInfo m) => (m.Exists || subscribedOnly) && (!subscribedOnly || m.Subscribed) && (!specialOnly || m.SpecialUse is not null);
        bool HasChildren(string name) => existing.Any(e => IsDescendant(e, name));

        var names = new SortedSet<string>(byName.Keys.Where(n => byName[n].Exists || subscribedOnly), MailboxOrder.Instance);
        names.UnionWith(existing.SelectMany(Parents));
        if (recursive)
        {
            names.UnionWith(byName.Values.Where(Meets).SelectMany(m => Parents(m.Name)));
        }

        var criteria = new List<string>();
        if (subscribedOnly)
        {
            criteria.Add("SUBSCRIBED");
        }

        if (specialOnly)
        {
            criteria.Add("SPECIAL-USE");
        }

        var listed = new List<ListedMailbox>();
        foreach (var name in names.Where(n => Matches(patterns, n)))
        {
            var info = byName.GetValueOrDefault(name);
            var exists = info?.Exists ?? false;
            var meets = info is not null && Meets(info);
            var hiddenDescendantMeets = recursive && byName.Values.Any(m => IsDescendant(m.Name, name) && !Matches(patterns, m.Name) && Meets(m));
            if (!meets && !hiddenDescendantMeets && (filtered || exists))
            {
                continue;
            }

            var attributes = new List<string>();
            if (!exists)
            {
                // RFC 5258 §3: \NonExistent (which implies \Noselect) in answers to the extended
                // syntax; RFC 3501 clients know \Noselect.
                attributes.Add(arguments.Extended ? @"\NonExistent" : @"\Noselect");
            }

            attributes.Add(HasChildren(name) ? @"\HasChildren" : @"\HasNoChildren");
            if (returnSubscribed && info is { Subscribed: true })
            {
                attributes.Add(@"\Subscribed");
            }

            if (exists && info!.SpecialUse is { } special)
            {
                attributes.Add(xlist && special == @"\Junk" ? @"\Spam" : special);
            }

            if (xlist && name == "INBOX")
            {
                attributes.Add(@"\Inbox");
            }

            listed.Add(new ListedMailbox(name, attributes, hiddenDescendantMeets ? criteria : []) { Exists = exists });
        }

        return listed;
    }

    private static Dictionary<string, MailboxInfo> ByName(IReadOnlyList<MailboxInfo> mailboxes)
    {
        var byName = new Dictionary<string, MailboxInfo>(StringComparer.Ordinal);
        foreach (var mailbox in mailboxes)
        {
            // A mailbox wins over a subscription that outlived an earlier mailbox of its name.
            if (!byName.TryGetValue(mailbox.Name, out var known) || (mailbox.Exists && !known.Exists))
            {
                byName[mailbox.Name] = mailbox;
            }
        }

        return byName;
    }

    private static bool Matches(IReadOnlyList<string> patterns, string name) => patterns.Any(p => Wildcard.Matches(p, name));

    private static bool IsDescendant(string name, string ancestor) => name.Length > ancestor.Length + 1 && name.StartsWith(ancestor + "/", StringComparison.Ordinal);

    /// <summary>"a/b/c" → "a", "a/b".</summary>
    private static IEnumerable<string> Parents(string name)
    {
        for (var i = name.IndexOf('/', StringComparison.Ordinal); i > 0; i = name.IndexOf('/', i + 1))
        {
            yield return name[..i];
        }
    }

    /// <summary>INBOX first, then by name.</summary>
    private sealed class MailboxOrder : IComparer<string>
    {
        public static MailboxOrder Instance { get; } = new();

        public int Compare(string? x, string? y) =>
            x == y ? 0 : x == "INBOX" ? -1 : y == "INBOX" ? 1 : string.CompareOrdinal(x, y);
    }
}

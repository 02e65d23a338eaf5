using System.IO.Pipelines;
using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// Writes untagged FETCH responses for a backend: the backend hands over what it loaded
/// (<see cref="FetchedMessage"/>), the writer answers the requested items in wire syntax, with
/// the sequence number this session knows the message by. Messages this session does not know
/// (not yet announced, or already expunged from its view) are skipped.
/// </summary>
public sealed class FetchWriter
{
    private readonly ImapWriter _writer;
    private readonly PipeWriter? _pipe;
    private readonly MailboxView _view;

    internal FetchWriter(ImapWriter writer, PipeWriter? pipe, MailboxView view, IReadOnlyList<FetchItem> items)
    {
        _writer = writer;
        _pipe = pipe;
        _view = view;
        Items = items;
    }

    /// <summary>The items to answer.</summary>
    public IReadOnlyList<FetchItem> Items { get; }

    /// <summary>Messages written.</summary>
    public int Written { get; private set; }

    /// <summary>Writes one message's FETCH response (flushing the transport now and then).</summary>
    public async ValueTask WriteAsync(FetchedMessage message, CancellationToken cancellationToken = default)
    {
        Write(message, Items);
        if (_pipe is not null && _pipe.UnflushedBytes > 64 * 1024)
        {
            await _pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the given items of one message (STORE's and updates' FLAGS responses).</summary>
    public void Write(FetchedMessage message, IReadOnlyList<FetchItem> items)
    {
        var sequence = _view.SequenceOf(message.Uid);
        if (sequence == 0)
        {
            return;
        }

        if (items.Contains(FetchItem.Flags) && _view.LearnKeywords(message.Flags))
        {
            // A keyword the session was not told of: FLAGS first (RFC 3501 §7.2.6).
            MailboxFlagsResponse.Write(_writer, _view);
        }

        Written++;
        var w = _writer;
        w.Raw("* "u8).Number((long)sequence).Raw(" FETCH ("u8);
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                w.Space();
            }

            first = false;
            WriteItem(w, message, item);
        }

        w.Raw(")\r\n"u8);
    }

    private void WriteItem(ImapWriter w, FetchedMessage m, FetchItem item)
    {
        switch (item.Attribute)
        {
            case FetchAttribute.Uid:
                w.Raw("UID "u8).Number((long)m.Uid);
                break;
            case FetchAttribute.Flags:
                // \Recent is the session's, not stored: it comes from the view.
                w.Raw("FLAGS "u8).FlagList(_view.IsRecent(m.Uid) ? m.Flags.Prepend(Flags.Recent) : m.Flags);
                break;
            case FetchAttribute.ModSeq:
                w.Raw("MODSEQ ("u8).Number(m.ModSeq).Byte(')');
                break;
            case FetchAttribute.InternalDate:
                w.Raw("INTERNALDATE "u8).DateTime(m.InternalDate);
                break;
            case FetchAttribute.Rfc822Size:
                w.Raw("RFC822.SIZE "u8).Number(m.Size);
                break;
            case FetchAttribute.Envelope:
                w.Raw("ENVELOPE "u8);
                if (m.EnvelopeWire is { } envelope)
                {
                    w.Raw(envelope.Span);
                }
                else
                {
                    WriteEnvelope(w, m.Envelope ?? EmptyEnvelope);
                }

                break;
            case FetchAttribute.BodyStructure:
                w.Raw("BODYSTRUCTURE "u8);
                if (m.BodyStructureWire is { } structure)
                {
                    w.Raw(structure.Span);
                }
                else
                {
                    WriteBodyStructure(w, m.BodyStructure ?? DefaultStructure(m), extended: true);
                }

                break;
            case FetchAttribute.Body:
                w.Raw("BODY "u8);
                WriteBodyStructure(w, m.BodyStructure ?? DefaultStructure(m), extended: false);
                break;
            case FetchAttribute.Rfc822:
                w.Raw("RFC822 "u8).NLiteral(m.Content);
                break;
            case FetchAttribute.Rfc822Header:
                w.Raw("RFC822.HEADER "u8).NLiteral(SectionResolver.HeaderOf(m));
                break;
            case FetchAttribute.Rfc822Text:
                w.Raw("RFC822.TEXT "u8).NLiteral(SectionResolver.TextOf(m));
                break;
            case FetchAttribute.BodySection:
            {
                var section = item.Section!;
                w.Raw("BODY["u8).Raw(section.Format()).Byte(']');
                var bytes = SectionResolver.Section(m, section);
                WritePartial(w, bytes, item.Partial);
                break;
            }

            case FetchAttribute.Binary:
            {
                var section = item.Section!;
                w.Raw("BINARY["u8).Raw(section.Format()).Byte(']');
                WritePartial(w, SectionResolver.Binary(m, section), item.Partial);
                break;
            }

            case FetchAttribute.BinarySize:
                w.Raw("BINARY.SIZE["u8).Raw(item.Section!.Format()).Raw("] "u8);
                if (SectionResolver.Binary(m, item.Section) is { } binary)
                {
                    w.Number((long)binary.Length);
                }
                else
                {
                    w.Nil();
                }

                break;
        }
    }

    private static void WritePartial(ImapWriter w, ReadOnlyMemory<byte>? bytes, Partial? partial)
    {
        if (partial is { } p)
        {
            w.Byte('<').Number(p.Offset).Byte('>');
            if (bytes is { } b)
            {
                var start = (int)Math.Min(p.Offset, b.Length);
                var length = (int)Math.Min(p.Count, b.Length - start);
                bytes = b.Slice(start, length);
            }
        }

        w.Space().NLiteral(bytes);
    }

    private static readonly ImapEnvelope EmptyEnvelope = new(null, null, [], [], [], [], [], [], null, null);

    private static ImapBodyPart DefaultStructure(FetchedMessage m) => new()
    {
        Type = "text",
        Subtype = "plain",
        Parameters = [new("charset", "us-ascii")],
        Size = m.Size,
    };

    internal static void WriteEnvelope(ImapWriter w, ImapEnvelope e)
    {
        w.Byte('(').NString(e.Date).Space().NString(e.Subject).Space();
        WriteAddresses(w, e.From);
        w.Space();
        WriteAddresses(w, e.Sender.Count > 0 ? e.Sender : e.From);
        w.Space();
        WriteAddresses(w, e.ReplyTo.Count > 0 ? e.ReplyTo : e.From);
        w.Space();
        WriteAddresses(w, e.To);
        w.Space();
        WriteAddresses(w, e.Cc);
        w.Space();
        WriteAddresses(w, e.Bcc);
        w.Space().NString(e.InReplyTo).Space().NString(e.MessageId).Byte(')');
    }

    private static void WriteAddresses(ImapWriter w, IReadOnlyList<ImapAddress> addresses)
    {
        if (addresses.Count == 0)
        {
            w.Nil();
            return;
        }

        w.Byte('(');
        foreach (var a in addresses)
        {
            w.Byte('(').NString(a.Name).Space().NString(a.Route).Space().NString(a.Mailbox).Space().NString(a.Host).Byte(')');
        }

        w.Byte(')');
    }

    internal static void WriteBodyStructure(ImapWriter w, ImapBodyPart part, bool extended)
    {
        w.Byte('(');
        if (part.IsMultipart && part.Parts.Count > 0)
        {
            foreach (var child in part.Parts)
            {
                WriteBodyStructure(w, child, extended);
            }

            w.Space().String(part.Subtype.ToUpperInvariant());
            if (extended)
            {
                w.Space();
                WriteParameters(w, part.Parameters);
                w.Space();
                WriteExtensionTail(w, part);
            }

            w.Byte(')');
            return;
        }

        w.String(part.Type.ToUpperInvariant()).Space().String(part.Subtype.ToUpperInvariant()).Space();
        WriteParameters(w, part.Parameters);
        w.Space().NString(part.Id).Space().NString(part.Description).Space().String(part.Encoding.ToUpperInvariant()).Space().Number(part.Size);
        var isMessage = part.Type.Equals("message", StringComparison.OrdinalIgnoreCase) &&
            part.Subtype.Equals("rfc822", StringComparison.OrdinalIgnoreCase) && part.MessageBody is not null;
        if (isMessage)
        {
            w.Space();
            WriteEnvelope(w, part.MessageEnvelope ?? EmptyEnvelope);
            w.Space();
            WriteBodyStructure(w, part.MessageBody!, extended);
            w.Space().Number(part.Lines);
        }
        else if (part.Type.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            w.Space().Number(part.Lines);
        }

        if (extended)
        {
            w.Space().NString(part.Md5).Space();
            WriteExtensionTail(w, part);
        }

        w.Byte(')');
    }

    private static void WriteExtensionTail(ImapWriter w, ImapBodyPart part)
    {
        if (part.Disposition is { } disposition)
        {
            w.Byte('(').String(disposition.Type.ToUpperInvariant()).Space();
            WriteParameters(w, disposition.Parameters);
            w.Byte(')');
        }
        else
        {
            w.Nil();
        }

        w.Space();
        if (part.Language is { Count: > 0 } language)
        {
            if (language.Count == 1)
            {
                w.String(language[0]);
            }
            else
            {
                w.Byte('(');
                for (var i = 0; i < language.Count; i++)
                {
                    if (i > 0)
                    {
                        w.Space();
                    }

                    w.String(language[i]);
                }

                w.Byte(')');
            }
        }
        else
        {
            w.Nil();
        }

        w.Space().NString(part.Location);
    }

    private static void WriteParameters(ImapWriter w, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        if (parameters.Count == 0)
        {
            w.Nil();
            return;
        }

        w.Byte('(');
        for (var i = 0; i < parameters.Count; i++)
        {
            if (i > 0)
            {
                w.Space();
            }

            w.String(parameters[i].Key.ToUpperInvariant()).Space().String(parameters[i].Value);
        }

        w.Byte(')');
    }

    internal static string Describe(ImapBodyPart part)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        WriteBodyStructure(new ImapWriter(buffer), part, extended: true);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

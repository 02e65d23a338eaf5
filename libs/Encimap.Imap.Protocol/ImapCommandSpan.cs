using System.Diagnostics;

namespace Encimap.Imap.Protocol;

/// <summary>
/// Each IMAP command is one span, <c>IMAP FETCH</c> or <c>IMAP UID FETCH</c>: a server span whose
/// children are the storage and RPC calls the command makes. Its tags are what an SRE needs to find
/// a slow or failing command, the selected mailbox and how many messages the command touched, and
/// never a command's arguments, message content or credentials (a LOGIN span says LOGIN, no more).
/// </summary>
public sealed class ImapCommandSpan
{
    /// <summary>The ActivitySource of IMAP command spans.</summary>
    public const string SourceName = "Encimap.Imap";

    private static readonly ActivitySource Source = new(SourceName);
    private readonly Activity? _activity;

    private ImapCommandSpan(Activity? activity) => _activity = activity;

    /// <summary>Starts the span of <paramref name="command"/> (nothing when no one listens).</summary>
    internal static ImapCommandSpan Start(ImapCommand command)
    {
        var name = command.Uid ? "UID " + command.Name : command.Name;
        var activity = Source.StartActivity("IMAP " + name, ActivityKind.Server);
        activity?.SetTag("imap.command", name);
        return new ImapCommandSpan(activity);
    }

    /// <summary>The number of messages the command answered, changed, copied or found.</summary>
    internal void Messages(int count) => _activity?.SetTag("imap.messages", count);

    /// <summary>The tagged answer: anything but OK marks the span as failed.</summary>
    internal void Answered(ImapStatus status, string? code)
    {
        if (_activity is null)
        {
            return;
        }

        var text = status switch { ImapStatus.Ok => "OK", ImapStatus.No => "NO", _ => "BAD" };
        _activity.SetTag("imap.status", text);
        if (status != ImapStatus.Ok)
        {
            _activity.SetStatus(ActivityStatusCode.Error, code is null ? text : $"{text} [{code}]");
        }
    }

    /// <summary>A storage or RPC failure: its type only, as an exception's text may quote data.</summary>
    internal void Failed(Exception e) => _activity?.SetTag("error.type", e.GetType().FullName);

    /// <summary>Ends the span with the mailbox the session has selected after the command.</summary>
    internal void End(string? mailbox)
    {
        if (mailbox is not null)
        {
            _activity?.SetTag("imap.mailbox", mailbox);
        }

        _activity?.Dispose();
    }
}

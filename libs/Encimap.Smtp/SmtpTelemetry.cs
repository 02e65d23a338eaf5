using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Encimap.Smtp;

/// <summary>
/// The protocol's traces and metrics, under the name "Encimap.Smtp": a span per session and a
/// span per mail transaction (a new trace, linked to its session, so that one message is one
/// trace with the backends' calls as its children).
/// </summary>
public static class SmtpTelemetry
{
    public const string Name = "Encimap.Smtp";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Sessions = Meter.CreateCounter<long>("encimap.smtp.sessions", "{session}", "SMTP sessions started");

    public static readonly UpDownCounter<long> ActiveSessions = Meter.CreateUpDownCounter<long>("encimap.smtp.sessions.active", "{session}", "SMTP sessions open now");

    public static readonly Counter<long> ConnectionsRefused = Meter.CreateCounter<long>("encimap.smtp.connections.refused", "{connection}", "Connections refused by connection limits");

    public static readonly Counter<long> MessagesAccepted = Meter.CreateCounter<long>("encimap.smtp.messages.accepted", "{message}", "Messages answered 250 after DATA/BDAT LAST");

    public static readonly Counter<long> MessagesRejected = Meter.CreateCounter<long>("encimap.smtp.messages.rejected", "{message}", "Messages refused, by reason (enhanced status code)");

    public static readonly Counter<long> RecipientsRejected = Meter.CreateCounter<long>("encimap.smtp.recipients.rejected", "{recipient}", "RCPT TO refused, by reason (enhanced status code)");

    public static readonly Counter<long> Authentications = Meter.CreateCounter<long>("encimap.smtp.auth", "{attempt}", "AUTH attempts by outcome");

    public static readonly Histogram<long> MessageSize = Meter.CreateHistogram<long>("encimap.smtp.message.size", "By", "Size of accepted messages");

    internal static string Reason(SmtpReply reply) => reply.EnhancedCode ?? reply.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

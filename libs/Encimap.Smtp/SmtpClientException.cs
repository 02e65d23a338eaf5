using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Encimap.Smtp;

/// <summary>A reply that ended a client operation: the server refused, or spoke no SMTP.</summary>
public sealed class SmtpClientException(SmtpReply reply, string stage) : Exception($"{stage}: {reply}")
{
    public SmtpReply Reply { get; } = reply;

    /// <summary>The command the server refused ("MAIL", "RCPT", "DATA", "EHLO", "AUTH", "STARTTLS", "CONNECT").</summary>
    public string Stage { get; } = stage;
}

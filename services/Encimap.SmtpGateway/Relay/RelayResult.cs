using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Relay;

/// <summary>What one relay attempt did with each recipient.</summary>
public sealed class RelayResult
{
    public List<string> Delivered { get; } = [];

    /// <summary>Refused for good (5xx): bounce.</summary>
    public Dictionary<string, SmtpReply> Permanent { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Not delivered this time (4xx, unreachable): retry.</summary>
    public List<string> Temporary { get; } = [];

    /// <summary>Why the temporary failures failed (the reply or the connection error).</summary>
    public string? Error { get; set; }
}

using Encimap.Smtp;

namespace Encimap.SmtpGateway.Submission;

/// <summary>Who logged in on the submission port, and what that allows them to send as.</summary>
public sealed class Submitter : SmtpPrincipal
{
    private Submitter(string name) : base(name)
    {
    }

    public Guid? VaultboxId { get; private init; }

    /// <summary>A vaultbox's one address (alias@domain).</summary>
    public string? Address { get; private init; }

    public Guid? MotorBlockId { get; private init; }

    /// <summary>A MotorBlock's domain: any local part at it.</summary>
    public string? SendingDomain { get; private init; }

    /// <summary>A MotorBlock's messages per hour; 0: unlimited.</summary>
    public int RateLimitPerHour { get; private init; }

    public static Submitter Vaultbox(string userName, Guid vaultboxId, string address) =>
        new(userName) { VaultboxId = vaultboxId, Address = address };

    public static Submitter MotorBlock(string userName, Guid motorBlockId, string sendingDomain, int rateLimitPerHour) =>
        new(userName) { MotorBlockId = motorBlockId, SendingDomain = sendingDomain, RateLimitPerHour = rateLimitPerHour };

    /// <summary>Whether this submitter may use <paramref name="address"/> as sender (MAIL FROM or From:).</summary>
    public bool MaySendAs(string address)
    {
        if (Address is not null)
        {
            return string.Equals(address, Address, StringComparison.OrdinalIgnoreCase);
        }

        var at = address.LastIndexOf('@');
        return at > 0 && !string.IsNullOrEmpty(SendingDomain)
            && string.Equals(address[(at + 1)..], SendingDomain.Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
    }
}

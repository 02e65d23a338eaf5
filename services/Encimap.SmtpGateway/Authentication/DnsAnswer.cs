namespace Encimap.SmtpGateway.Authentication;

/// <summary>The records of one DNS query, or why there are none.</summary>
public sealed record DnsAnswer<T>(DnsLookupStatus Status, IReadOnlyList<T> Records)
{
    public static DnsAnswer<T> NotFound { get; } = new(DnsLookupStatus.NotFound, []);

    public static DnsAnswer<T> Failed { get; } = new(DnsLookupStatus.Failed, []);
}

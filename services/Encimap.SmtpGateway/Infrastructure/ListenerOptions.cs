namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>Limits every listener has.</summary>
public abstract class ListenerOptions
{
    /// <summary>"address:port"; empty: the listener is off.</summary>
    public string Endpoint { get; set; } = "";

    public int MaxConnections { get; set; } = 1000;

    public int MaxConnectionsPerIp { get; set; } = 50;

    public int MaxConnectionRatePerIp { get; set; } = 600;
}

namespace Encimap.Grpc;

/// <summary>
/// Limits of the server side, read once when the methods are mapped:
/// <c>services.Configure&lt;GrpcServerOptions&gt;(o => o.MaxReceiveMessageSize = ...)</c>.
/// </summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted; larger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest reply message sent; a handler producing a larger one gets RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;
}

namespace Encimap.AppHost;

/// <summary>A named address a resource listens on (<c>http</c>, <c>grpc</c>, <c>smtp</c>, <c>tcp</c>…).</summary>
public sealed record ResourceEndpoint(string Name, string Url);

namespace Encimap.AppHost.Otlp;

/// <summary>One attribute of a span, event, log record or resource, its value rendered as text.</summary>
public sealed record TelemetryAttribute(string Key, string Value);

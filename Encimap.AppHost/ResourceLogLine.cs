namespace Encimap.AppHost;

/// <summary>One console line of a resource.</summary>
public sealed record ResourceLogLine(long Sequence, DateTimeOffset Timestamp, string Text, bool IsError);

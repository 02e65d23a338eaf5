namespace Encimap.AppHost.Otlp;

/// <summary>
/// Bounds of what the dashboard keeps of the telemetry it receives (configuration section
/// <c>AppHost:Telemetry</c>): everything lives in memory, oldest out first.
/// </summary>
public sealed class TelemetryStoreOptions
{
    /// <summary>Spans kept, over all traces.</summary>
    public int MaxSpans { get; set; } = 10_000;

    /// <summary>Structured log records kept, over all services.</summary>
    public int MaxLogRecords { get; set; } = 20_000;

    /// <summary>Metric series (one instrument and one attribute set) kept per service.</summary>
    public int MaxMetricSeriesPerService { get; set; } = 2_000;

    /// <summary>Largest OTLP request body accepted, after decompression.</summary>
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Attributes kept per span, event or log record; longer values are cut.</summary>
    public int MaxAttributes { get; set; } = 128;

    public int MaxAttributeValueLength { get; set; } = 4096;
}

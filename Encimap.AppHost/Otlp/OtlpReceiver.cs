using System.IO.Compression;
using Encimap.AppHost.Otlp.Proto.Collector.Logs.V1;
using Encimap.AppHost.Otlp.Proto.Collector.Metrics.V1;
using Encimap.AppHost.Otlp.Proto.Collector.Trace.V1;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Encimap.AppHost.Otlp;

/// <summary>
/// The OTLP/HTTP receiver (binary protobuf): <c>POST /v1/traces</c>, <c>/v1/logs</c> and
/// <c>/v1/metrics</c>, as the OpenTelemetry SDKs' exporters post them with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>. Bodies may be gzip-compressed; they are
/// bounded (413 beyond <see cref="TelemetryStoreOptions.MaxRequestBodyBytes"/>). The answer is
/// the ExportXServiceResponse of the signal; OTLP/JSON is refused with 415.
/// </summary>
public static class OtlpReceiver
{
    public const string ProtobufContentType = "application/x-protobuf";

    public static IServiceCollection AddOtlpReceiver(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TelemetryStoreOptions>(configuration);
        services.AddSingleton<OtlpDecoder>();
        services.AddSingleton<TraceStore>();
        services.AddSingleton<LogStore>();
        services.AddSingleton<MetricStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapOtlpReceiver(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/traces", (HttpContext context, OtlpDecoder decoder, TraceStore store, IOptions<TelemetryStoreOptions> options) =>
            ReceiveAsync(context, options.Value, ExportTraceServiceRequest.Parser, request =>
            {
                store.Add(decoder.Spans(request));
                return new ExportTraceServiceResponse();
            }));
        endpoints.MapPost("/v1/logs", (HttpContext context, OtlpDecoder decoder, LogStore store, IOptions<TelemetryStoreOptions> options) =>
            ReceiveAsync(context, options.Value, ExportLogsServiceRequest.Parser, request =>
            {
                store.Add(decoder.Logs(request));
                return new ExportLogsServiceResponse();
            }));
        endpoints.MapPost("/v1/metrics", (HttpContext context, MetricStore store, IOptions<TelemetryStoreOptions> options) =>
            ReceiveAsync(context, options.Value, ExportMetricsServiceRequest.Parser, request =>
            {
                store.Add(request);
                return new ExportMetricsServiceResponse();
            }));
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync<TRequest>(
        HttpContext context, TelemetryStoreOptions options, MessageParser<TRequest> parser, Func<TRequest, IMessage> handle)
        where TRequest : IMessage<TRequest>
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, ProtobufContentType, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(mediaType, "application/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Text($"only OTLP/HTTP binary protobuf ({ProtobufContentType}) is accepted", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var limit = options.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return Results.Text($"the body is larger than {limit} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        Stream body;
        switch (context.Request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant())
        {
            case "":
            case "identity":
                body = context.Request.Body;
                break;
            case "gzip":
                body = new GZipStream(context.Request.Body, CompressionMode.Decompress, leaveOpen: true);
                break;
            case "deflate":
                body = new ZLibStream(context.Request.Body, CompressionMode.Decompress, leaveOpen: true);
                break;
            default:
                return Results.Text("unsupported Content-Encoding (gzip, deflate or none)", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        byte[]? bytes;
        await using (body)
        {
            try
            {
                bytes = await ReadBoundedAsync(body, limit, context.RequestAborted);
            }
            catch (InvalidDataException)
            {
                return Results.Text("the body is not valid compressed data", statusCode: StatusCodes.Status400BadRequest);
            }
        }

        if (bytes is null)
        {
            return Results.Text($"the body is larger than {limit} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        TRequest request;
        try
        {
            request = parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            return Results.Text("the body is not a valid OTLP protobuf message: " + e.Message, statusCode: StatusCodes.Status400BadRequest);
        }

        var response = handle(request);
        return Results.Bytes(response.ToByteArray(), ProtobufContentType);
    }

    // Null when the (decompressed) body goes beyond the limit: a small gzip body may inflate enormously.
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

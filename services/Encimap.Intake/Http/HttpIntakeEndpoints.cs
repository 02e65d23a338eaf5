using System.Diagnostics;
using System.Net.Http.Headers;
using Encimap.Intake.Delivery;
using Encimap.Intake.Infrastructure;
using Encimap.Smtp;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Encimap.Intake.Http;

/// <summary>
/// <c>POST /intake/{vaultbox_id}</c>: a Postfix <c>pipe</c> transport (deploy/postfix/encimap-pipe)
/// hands over one raw RFC 5322 message for one vaultbox. Optional query parameters <c>sender</c>
/// and <c>recipient</c> carry the envelope (they make the duplicate key match a retry of the same
/// transaction). Answers:
/// 201 stored / 200 duplicate, JSON <c>{vaultbox_id, uid, outcome}</c>;
/// 400 malformed request, 401/403 not allowed (<see cref="HttpIntakeAccess"/>), 404 unknown
/// vaultbox, 413 too large, 415 unsupported body type — all the client's own, never 5xx;
/// 503 when the database or the certificate service is unavailable (retry later).
/// Nothing is stored unless the answer is 200/201.
/// </summary>
public static class HttpIntakeEndpoints
{
    private static readonly string[] AcceptedMediaTypes = ["message/rfc822", "application/octet-stream"];

    public static void MapHttpIntake(this IEndpointRouteBuilder app)
    {
        app.MapPost("/intake/{vaultboxId}", HandleAsync)
            .WithDisplayName("HTTP intake");
    }

    private static async Task<IResult> HandleAsync(
        HttpContext http,
        string vaultboxId,
        RecipientDirectory directory,
        DeliveryService delivery,
        MessageStore store,
        DeliveryTelemetry telemetry,
        IOptions<IntakeOptions> options)
    {
        var settings = options.Value;
        var start = Stopwatch.GetTimestamp();
        if (HttpIntakeAccess.Check(http, settings) is { } refused)
        {
            return refused;
        }

        if (!Guid.TryParse(vaultboxId, out var id))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_vaultbox_id", "the vaultbox id is not a UUID");
        }

        if (!IsAcceptedContentType(http.Request.ContentType))
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "send the raw message as message/rfc822 or application/octet-stream");
        }

        var sender = http.Request.Query["sender"].ToString();
        var recipient = http.Request.Query["recipient"].ToString();
        if (!IsEnvelopeValue(sender) || !IsEnvelopeValue(recipient))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_envelope", "sender and recipient must be addresses without control characters");
        }

        if (http.Request.ContentLength > settings.MaxMessageBytes)
        {
            return await TooLargeAsync(store, telemetry, settings, id, (int)Math.Min(int.MaxValue, http.Request.ContentLength.Value), start);
        }

        VaultboxRoute? route;
        try
        {
            route = await directory.FindVaultboxAsync(id, http.RequestAborted);
        }
        catch (DeliveryFailedException e)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "unavailable", e.Message);
        }

        if (route is null)
        {
            telemetry.Count(DeliveryOutcomes.UnknownRecipient);
            await store.TryLogAsync(null, DeliveryOutcomes.UnknownRecipient, null, start, "http");
            return Error(StatusCodes.Status404NotFound, "unknown_vaultbox", "no such vaultbox");
        }

        var (spooled, problem) = await ReadBodyAsync(http, settings.MaxMessageBytes, settings.SpoolDirectory);
        if (problem == StatusCodes.Status413PayloadTooLarge)
        {
            return await TooLargeAsync(store, telemetry, settings, id, settings.MaxMessageBytes + 1, start);
        }

        using var raw = spooled;
        if (problem is not null || raw is null || raw.Length == 0)
        {
            telemetry.Count(DeliveryOutcomes.Rejected);
            return Error(StatusCodes.Status400BadRequest, "invalid_body", "the request body must be a non-empty RFC 5322 message");
        }

        if (recipient.Length > 0)
        {
            route = route with { ToAlias = LocalPart(recipient) };
        }

        var message = new InboundMessage(
            raw,
            sender,
            recipient.Length > 0 ? [recipient] : [id.ToString()],
            http.Connection.RemoteIpAddress?.ToString(),
            ClientHelo: null,
            Mailbox: Grpc.IntakeGrpcService.DefaultMailbox,
            Protocol: "HTTP",
            Channel: "http");
        try
        {
            var report = await delivery.DeliverAsync(message, [new RecipientTarget(recipient.Length > 0 ? recipient : id.ToString(), route)], http.RequestAborted);
            var copy = report.Results[0].Copy!;
            var body = new
            {
                vaultbox_id = id,
                uid = copy.Uid,
                outcome = copy.Outcome == CopyOutcome.Stored ? DeliveryOutcomes.Stored : DeliveryOutcomes.Duplicate,
            };
            return copy.Outcome == CopyOutcome.Stored
                ? Results.Json(body, statusCode: StatusCodes.Status201Created)
                : Results.Json(body, statusCode: StatusCodes.Status200OK);
        }
        catch (DeliveryFailedException e)
        {
            return e.Failure == DeliveryFailure.Internal
                ? Error(StatusCodes.Status500InternalServerError, e.Reason, e.Message)
                : Error(StatusCodes.Status503ServiceUnavailable, e.Reason, e.Message);
        }
    }

    private static async Task<IResult> TooLargeAsync(MessageStore store, DeliveryTelemetry telemetry, IntakeOptions settings, Guid id, int size, long start)
    {
        telemetry.Count(DeliveryOutcomes.TooLarge);
        await store.TryLogAsync(id, DeliveryOutcomes.TooLarge, size, start, "http");
        return Error(StatusCodes.Status413PayloadTooLarge, "too_large", $"the message is larger than {settings.MaxMessageBytes} bytes");
    }

    /// <summary>
    /// Spools the body (pooled memory, then a temporary file), refusing more than
    /// <paramref name="max"/> bytes (413) and truncated or broken bodies (400).
    /// </summary>
    private static async Task<(MessageSpool? Body, int? Problem)> ReadBodyAsync(HttpContext http, int max, string? spoolDirectory)
    {
        // Kestrel's default limit (30 MB) is below ours: lift it for this request and count ourselves.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = (long)max + 1;
        }

        MessageSpool spool;
        try
        {
            spool = await MessageSpool.CopyFromAsync(http.Request.Body, max, spoolDirectory, http.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            return (null, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest);
        }

        int? problem = spool.Length > max
            ? StatusCodes.Status413PayloadTooLarge
            : http.Request.ContentLength is { } length && length != spool.Length ? StatusCodes.Status400BadRequest : null;
        if (problem is not null)
        {
            spool.Dispose();
            return (null, problem);
        }

        return (spool, null);
    }

    private static bool IsAcceptedContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        return MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            && AcceptedMediaTypes.Contains(parsed.MediaType, StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsEnvelopeValue(string value) =>
        value.Length <= 320 && !value.Any(char.IsControl);

    private static string LocalPart(string address)
    {
        var normalized = RecipientDirectory.Normalize(address);
        var at = normalized.LastIndexOf('@');
        return at > 0 ? normalized[..at] : normalized;
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message } }, statusCode: status);
}

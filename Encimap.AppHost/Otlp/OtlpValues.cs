using System.Globalization;
using System.Text;
using Encimap.AppHost.Otlp.Proto.Common.V1;
using Encimap.AppHost.Otlp.Proto.Resource.V1;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Encimap.AppHost.Otlp;

/// <summary>Turns OTLP's wire values (ids as bytes, typed attribute values, nanosecond times) into what the dashboard shows.</summary>
public static class OtlpValues
{
    public const string UnknownService = "unknown_service";

    /// <summary>A trace or span id in the lower-case hex of W3C <c>traceparent</c>; empty for an empty id.</summary>
    public static string Hex(ByteString id) => id.IsEmpty ? "" : Convert.ToHexStringLower(id.Span);

    /// <summary>Nanoseconds since the Unix epoch as a time (100 ns precision).</summary>
    public static DateTimeOffset Time(ulong unixNano) =>
        unixNano == 0 ? DateTimeOffset.UnixEpoch : DateTimeOffset.UnixEpoch.AddTicks((long)Math.Min(unixNano / 100, (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks));

    public static string Text(AnyValue? value, int maxLength = int.MaxValue)
    {
        var text = value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(v => Text(v))) + "]",
            AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}: {Text(kv.Value)}")) + "}",
            AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
            _ => "",
        };
        return text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength), "…");
    }

    public static IReadOnlyList<TelemetryAttribute> Attributes(RepeatedField<KeyValue> attributes, TelemetryStoreOptions limits)
    {
        if (attributes.Count == 0)
        {
            return [];
        }

        var list = new List<TelemetryAttribute>(Math.Min(attributes.Count, limits.MaxAttributes));
        foreach (var attribute in attributes)
        {
            if (list.Count == limits.MaxAttributes)
            {
                break;
            }

            list.Add(new TelemetryAttribute(attribute.Key, Text(attribute.Value, limits.MaxAttributeValueLength)));
        }

        return list;
    }

    /// <summary>The resource's <c>service.name</c>, as the OpenTelemetry SDKs set it from <c>OTEL_SERVICE_NAME</c>.</summary>
    public static string ServiceName(Resource? resource) =>
        Find(resource?.Attributes, "service.name") is { Length: > 0 } name ? name : UnknownService;

    public static string? Find(RepeatedField<KeyValue>? attributes, string key)
    {
        if (attributes is null)
        {
            return null;
        }

        foreach (var attribute in attributes)
        {
            if (attribute.Key == key)
            {
                return Text(attribute.Value);
            }
        }

        return null;
    }

    /// <summary>A stable text of an attribute set (sorted by key), used as a series key and shown as a label.</summary>
    public static string Label(RepeatedField<KeyValue> attributes)
    {
        if (attributes.Count == 0)
        {
            return "";
        }

        var builder = new StringBuilder();
        foreach (var attribute in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (builder.Length > 0)
            {
                builder.Append(", ");
            }

            builder.Append(attribute.Key).Append('=').Append(Text(attribute.Value, 200));
        }

        return builder.ToString();
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;

namespace Encimap.Mime;

/// <summary>
/// JSON for <see cref="Envelope"/> and <see cref="BodyStructure"/>, computed once at store time
/// and read by the IMAP front-end. Property names are camelCase and stable; every property is
/// always written (null when absent); parameters keep their order. Deserializing what
/// <see cref="Serialize(Envelope)"/> wrote yields an equal value.
/// </summary>
public static class MimeJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 4096,
    };

    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 4096 };

    /// <summary>The envelope as JSON.</summary>
    public static string Serialize(Envelope envelope) => Write(writer => WriteEnvelope(writer, envelope));

    /// <summary>The body structure as JSON.</summary>
    public static string Serialize(BodyStructure body) => Write(writer => WriteBody(writer, body));

    /// <summary>Reads an envelope written by <see cref="Serialize(Envelope)"/>.</summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    public static Envelope DeserializeEnvelope(string json) => Read(json, ReadEnvelope);

    /// <summary>Reads a body structure written by <see cref="Serialize(BodyStructure)"/>.</summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    public static BodyStructure DeserializeBodyStructure(string json) => Read(json, ReadBody);

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) write(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static T Read<T>(string json, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json, ReaderOptions);
            return read(document.RootElement);
        }
        catch (Exception exception) when (exception is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new JsonException("Not a serialized MIME structure: " + exception.Message, exception);
        }
    }

    private static void WriteEnvelope(Utf8JsonWriter writer, Envelope envelope)
    {
        writer.WriteStartObject();
        writer.WriteString("date", envelope.Date);
        writer.WriteString("subject", envelope.Subject);
        WriteAddresses(writer, "from", envelope.From);
        WriteAddresses(writer, "sender", envelope.Sender);
        WriteAddresses(writer, "replyTo", envelope.ReplyTo);
        WriteAddresses(writer, "to", envelope.To);
        WriteAddresses(writer, "cc", envelope.Cc);
        WriteAddresses(writer, "bcc", envelope.Bcc);
        writer.WriteString("inReplyTo", envelope.InReplyTo);
        writer.WriteString("messageId", envelope.MessageId);
        writer.WriteEndObject();
    }

    private static void WriteAddresses(Utf8JsonWriter writer, string name, IReadOnlyList<MailAddress> addresses)
    {
        writer.WriteStartArray(name);
        foreach (var address in addresses)
        {
            writer.WriteStartObject();
            writer.WriteString("name", address.Name);
            writer.WriteString("route", address.Route);
            writer.WriteString("mailbox", address.Mailbox);
            writer.WriteString("host", address.Host);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteBody(Utf8JsonWriter writer, BodyStructure body)
    {
        writer.WriteStartObject();
        writer.WriteString("type", body.Type);
        writer.WriteString("subtype", body.Subtype);
        WriteParameters(writer, "parameters", body.Parameters);
        writer.WriteString("id", body.Id);
        writer.WriteString("description", body.Description);
        writer.WriteString("encoding", body.Encoding);
        writer.WriteNumber("size", body.Size);
        if (body.Lines is { } lines) writer.WriteNumber("lines", lines);
        else writer.WriteNull("lines");
        writer.WriteString("md5", body.Md5);
        if (body.Disposition is { } disposition)
        {
            writer.WriteStartObject("disposition");
            writer.WriteString("kind", disposition.Kind);
            WriteParameters(writer, "parameters", disposition.Parameters);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("disposition");
        }
        if (body.Language is { } language)
        {
            writer.WriteStartArray("language");
            foreach (var tag in language) writer.WriteStringValue(tag);
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull("language");
        }
        writer.WriteString("location", body.Location);
        writer.WriteStartArray("children");
        foreach (var child in body.Children) WriteBody(writer, child);
        writer.WriteEndArray();
        writer.WritePropertyName("envelope");
        if (body.Envelope is { } envelope) WriteEnvelope(writer, envelope);
        else writer.WriteNullValue();
        writer.WritePropertyName("message");
        if (body.Message is { } message) WriteBody(writer, message);
        else writer.WriteNullValue();
        writer.WriteNumber("headerStart", body.HeaderStart);
        writer.WriteNumber("headerLength", body.HeaderLength);
        writer.WriteNumber("bodyStart", body.BodyStart);
        writer.WriteNumber("bodyLength", body.BodyLength);
        writer.WriteEndObject();
    }

    private static void WriteParameters(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string> parameters)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in parameters) writer.WriteString(key, value);
        writer.WriteEndObject();
    }

    private static Envelope ReadEnvelope(JsonElement element) => new(
        OptionalString(element, "date"),
        OptionalString(element, "subject"),
        ReadAddresses(element, "from"),
        ReadAddresses(element, "sender"),
        ReadAddresses(element, "replyTo"),
        ReadAddresses(element, "to"),
        ReadAddresses(element, "cc"),
        ReadAddresses(element, "bcc"),
        OptionalString(element, "inReplyTo"),
        OptionalString(element, "messageId"));

    private static MailAddress[] ReadAddresses(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray()
            .Select(address => new MailAddress(
                OptionalString(address, "name"),
                OptionalString(address, "route"),
                OptionalString(address, "mailbox"),
                OptionalString(address, "host")))
            .ToArray();

    private static BodyStructure ReadBody(JsonElement element)
    {
        var disposition = element.GetProperty("disposition");
        var language = element.GetProperty("language");
        var lines = element.GetProperty("lines");
        var envelope = element.GetProperty("envelope");
        var message = element.GetProperty("message");
        return new BodyStructure(
            element.GetProperty("type").GetString()!,
            element.GetProperty("subtype").GetString()!,
            ReadParameters(element.GetProperty("parameters")),
            OptionalString(element, "id"),
            OptionalString(element, "description"),
            element.GetProperty("encoding").GetString()!,
            element.GetProperty("size").GetInt32(),
            lines.ValueKind == JsonValueKind.Null ? null : lines.GetInt32(),
            OptionalString(element, "md5"),
            disposition.ValueKind == JsonValueKind.Null
                ? null
                : new ContentDisposition(disposition.GetProperty("kind").GetString()!, ReadParameters(disposition.GetProperty("parameters"))),
            language.ValueKind == JsonValueKind.Null ? null : language.EnumerateArray().Select(tag => tag.GetString()!).ToArray(),
            OptionalString(element, "location"),
            element.GetProperty("children").EnumerateArray().Select(ReadBody).ToArray(),
            envelope.ValueKind == JsonValueKind.Null ? null : ReadEnvelope(envelope),
            message.ValueKind == JsonValueKind.Null ? null : ReadBody(message),
            element.GetProperty("headerStart").GetInt32(),
            element.GetProperty("headerLength").GetInt32(),
            element.GetProperty("bodyStart").GetInt32(),
            element.GetProperty("bodyLength").GetInt32());
    }

    private static Dictionary<string, string> ReadParameters(JsonElement element)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject()) parameters[property.Name] = property.Value.GetString()!;
        return parameters;
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;
}

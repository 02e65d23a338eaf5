using System.Text;

namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// A decrypted inbound message: the MX's Authentication-Results field, then the message as it
/// was sent, byte for byte.
/// </summary>
public static class MarkedMessage
{
    public const string AuthServId = "mx.test.example";

    /// <summary>Splits off the first field (with its continuation lines); asserts that it is our Authentication-Results.</summary>
    public static (string Field, byte[] Original) Split(byte[] decrypted)
    {
        var text = Encoding.Latin1.GetString(decrypted);
        Assert.StartsWith($"Authentication-Results: {AuthServId};", text);
        var end = 0;
        do
        {
            end = text.IndexOf("\r\n", end, StringComparison.Ordinal) + 2;
        }
        while (end > 1 && end < text.Length && text[end] is ' ' or '\t');

        return (text[..end], decrypted[end..]);
    }

    /// <summary>Asserts that the decrypted message is the original with our field in front; returns the field.</summary>
    public static string AssertMarkedOriginal(byte[] original, byte[] decrypted)
    {
        var (field, rest) = Split(decrypted);
        Assert.Equal(original, rest);
        return field;
    }
}

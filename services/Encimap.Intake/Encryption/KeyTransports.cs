namespace Encimap.Intake.Encryption;

public static class KeyTransports
{
    /// <summary>Reads the database's name; anything unknown is refused rather than guessed.</summary>
    public static KeyTransport Parse(string value) => value switch
    {
        "rsa-pkcs1" => KeyTransport.RsaPkcs1,
        "rsa-oaep" => KeyTransport.RsaOaep,
        _ => throw new InvalidOperationException($"unknown key transport '{value}'"),
    };

    /// <summary>The database's name (<c>vaultboxes.key_transport</c>).</summary>
    public static string Name(KeyTransport value) => value switch
    {
        KeyTransport.RsaPkcs1 => "rsa-pkcs1",
        KeyTransport.RsaOaep => "rsa-oaep",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "unknown key transport"),
    };
}

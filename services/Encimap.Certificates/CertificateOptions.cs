using Microsoft.Extensions.Options;

namespace Encimap.Certificates;

/// <summary>The <c>Certificates</c> configuration section.</summary>
public sealed class CertificateOptions
{
    public const string Section = "Certificates";

    public const int MinKeySizeBits = 2048;
    public const int MaxKeySizeBits = 8192;
    public const int MinValidityDays = 1;
    public const int MaxValidityDays = 3650;

    /// <summary>RSA modulus size of new keys when a request does not name one.</summary>
    public int KeySizeBits { get; set; } = 2048;

    /// <summary>Validity of new certificates when a request does not name one.</summary>
    public int ValidityDays { get; set; } = 365;

    /// <summary>Pre-generated keys of the default size kept ready (0 disables the pool).</summary>
    public int KeyPoolSize { get; set; } = 8;

    /// <summary>Directory of key-encryption keys: files <c>{kekId}.key</c>, base64 of 32 bytes, mode 600.</summary>
    public string? KekDirectory { get; set; }

    /// <summary>Key-encryption keys given in configuration: <c>Certificates:Keks:{kekId}</c> = base64 of 32 bytes.</summary>
    public Dictionary<string, string> Keks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The KEK that wraps new keys; empty: the newest file of <see cref="KekDirectory"/>.</summary>
    public string? CurrentKekId { get; set; }

    /// <summary>Development only: create a KEK in <see cref="KekDirectory"/> when there is none.</summary>
    public bool GenerateDevelopmentKek { get; set; }

    /// <summary>Renew a vaultbox's certificate when its newest one ends within this many days.</summary>
    public int RenewBeforeDays { get; set; } = 30;

    /// <summary>Time between renewal passes.</summary>
    public TimeSpan RenewalInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Delay before the first renewal pass after start.</summary>
    public TimeSpan RenewalFirstRunDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>At most this many vaultboxes renewed per pass (the rest wait for the next one).</summary>
    public int RenewalBatchSize { get; set; } = 100;

    /// <summary>Whether <paramref name="bits"/> is a key size this service issues.</summary>
    public static bool IsValidKeySize(int bits) => bits is >= MinKeySizeBits and <= MaxKeySizeBits && bits % 1024 == 0;

    /// <summary>Whether <paramref name="days"/> is a validity this service issues.</summary>
    public static bool IsValidValidity(int days) => days is >= MinValidityDays and <= MaxValidityDays;
}

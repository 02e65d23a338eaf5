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

/// <summary>Rejects a configuration the service cannot run with, at start.</summary>
public sealed class CertificateOptionsValidation : IValidateOptions<CertificateOptions>
{
    public ValidateOptionsResult Validate(string? name, CertificateOptions options)
    {
        var failures = new List<string>();
        if (!CertificateOptions.IsValidKeySize(options.KeySizeBits))
        {
            failures.Add($"Certificates:KeySizeBits must be a multiple of 1024 from {CertificateOptions.MinKeySizeBits} to {CertificateOptions.MaxKeySizeBits}.");
        }
        if (!CertificateOptions.IsValidValidity(options.ValidityDays))
        {
            failures.Add($"Certificates:ValidityDays must be from {CertificateOptions.MinValidityDays} to {CertificateOptions.MaxValidityDays}.");
        }
        if (options.KeyPoolSize is < 0 or > 1024)
        {
            failures.Add("Certificates:KeyPoolSize must be from 0 to 1024.");
        }
        if (options.RenewBeforeDays is < 1 or > CertificateOptions.MaxValidityDays)
        {
            failures.Add($"Certificates:RenewBeforeDays must be from 1 to {CertificateOptions.MaxValidityDays}.");
        }
        if (options.RenewalInterval <= TimeSpan.Zero)
        {
            failures.Add("Certificates:RenewalInterval must be positive.");
        }
        if (options.RenewalFirstRunDelay < TimeSpan.Zero)
        {
            failures.Add("Certificates:RenewalFirstRunDelay must not be negative.");
        }
        if (options.RenewalBatchSize < 1)
        {
            failures.Add("Certificates:RenewalBatchSize must be at least 1.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

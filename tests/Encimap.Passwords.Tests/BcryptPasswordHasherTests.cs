using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Encimap.Passwords.Tests;

public sealed class BcryptPasswordHasherTests(ITestOutputHelper output)
{
    // Cost 4 keeps the tests fast; the cost itself is tested separately.
    private readonly BcryptPasswordHasher _hasher = new(cost: BcryptPasswordHasher.MinCost);

    [Fact]
    public void Hash_then_verify_roundtrips()
    {
        var hash = _hasher.Hash("correct horse battery staple");

        Assert.StartsWith("$2b$04$", hash, StringComparison.Ordinal);
        Assert.Equal(60, hash.Length);
        Assert.True(_hasher.Verify("correct horse battery staple", hash));
    }

    [Fact]
    public void Wrong_password_does_not_verify()
    {
        var hash = _hasher.Hash("correct horse battery staple");

        Assert.False(_hasher.Verify("correct horse battery stapler", hash));
        Assert.False(_hasher.Verify("Correct horse battery staple", hash));
        Assert.False(_hasher.Verify("", hash));
    }

    [Fact]
    public void Same_password_gets_a_fresh_salt_each_time()
    {
        var first = _hasher.Hash("pw");
        var second = _hasher.Hash("pw");

        Assert.NotEqual(first, second);
        Assert.NotEqual(first[7..29], second[7..29]);
        Assert.True(_hasher.Verify("pw", first));
        Assert.True(_hasher.Verify("pw", second));
    }

    [Fact]
    public void Non_ascii_passwords_are_hashed_as_utf8()
    {
        var hash = _hasher.Hash("pässwörd-密码-🔑");

        Assert.True(_hasher.Verify("pässwörd-密码-🔑", hash));
        Assert.True(_hasher.Verify(Encoding.UTF8.GetBytes("pässwörd-密码-🔑"), hash));
        Assert.False(_hasher.Verify("passwort-密码-🔑", hash));
    }

    // Made by Python's crypt module: crypt.crypt("pw", crypt.mksalt(crypt.METHOD_BLOWFISH)).
    [Theory]
    [InlineData("pw", "$2b$12$9ubkDvIi8efuvCBQuvGat.LAmQMdIGwDDAtZ5bdIBP.vvItEKiKhO")]
    [InlineData("correct horse battery staple", "$2b$10$4HZ82X6..ctEqRZ6UBNgi.u2pyEPcOyDLPuS8dMMp0lh1IDN7FLMC")]
    public void Known_2b_hashes_verify(string password, string hash)
    {
        Assert.True(_hasher.Verify(password, hash));
        Assert.False(_hasher.Verify(password + "x", hash));
    }

    // Published test vectors of Openwall's crypt_blowfish (wrapper.c), the reference for $2a$/$2y$.
    [Theory]
    [InlineData("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [InlineData("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK")]
    [InlineData("U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored",
        "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui")]
    public void Known_2a_hashes_verify(string password, string hash)
    {
        Assert.True(_hasher.Verify(password, hash));
        // One character short of what bcrypt reads (the last vector is longer than 72 bytes).
        Assert.False(_hasher.Verify(password[..(Math.Min(password.Length, BcryptPasswordHasher.MaxPasswordBytes) - 1)], hash));
    }

    [Fact]
    public void Known_2y_and_2a_hashes_of_an_8bit_byte_verify()
    {
        // crypt_blowfish's vectors for the single byte 0xA3 (not valid UTF-8: the byte overload).
        byte[] password = [0xA3];

        Assert.True(_hasher.Verify(password, "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"));
        Assert.True(_hasher.Verify(password, "$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"));
        Assert.False(_hasher.Verify([0xA4], "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"));
        // $2x$ (the compatibility mode for the old sign-extension bug) is refused even when it would match.
        Assert.False(_hasher.Verify(password, "$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e"));
    }

    [Fact]
    public void Only_the_first_72_bytes_count()
    {
        var prefix = new string('a', 72);
        var hash = _hasher.Hash(prefix + "tail");

        Assert.True(_hasher.Verify(prefix, hash));
        Assert.True(_hasher.Verify(prefix + "another tail", hash));
        Assert.False(_hasher.Verify(prefix[..71], hash));
    }

    [Fact]
    public void Passwords_longer_than_libxcrypt_accepts_still_work()
    {
        var password = new string('x', 600);
        var hash = _hasher.Hash(password);

        Assert.True(_hasher.Verify(password, hash));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("pw")]
    [InlineData("plaintext-password")]
    [InlineData("$2b$")]
    [InlineData("$2b$04$")]
    [InlineData("$2b$04$short")]
    [InlineData("$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e")] // unsupported variant
    [InlineData("$2c$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")] // unknown variant
    [InlineData("$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")] // cost below 4
    [InlineData("$2a$32$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")] // cost above 31
    [InlineData("$2a$5$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")] // one-digit cost
    [InlineData("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW\n")] // trailing newline
    [InlineData("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeWX")] // one character too many
    [InlineData("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe")] // one too few
    [InlineData("$2a$05$CCCCCCCCCCCCCCCCCCCCC!E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")] // not bcrypt base64
    [InlineData("$6$saltsalt$3t3Y8Bq0d6x5oGqG7r6o3p2aK0bH4gQ1mM5jJkXw3oVq2N5u0Yb6y9cF8tZ7aE4rD1sL0pO9iU8yT7rE6wQ5")] // sha512crypt
    [InlineData("*0")]
    [InlineData("*1")]
    [InlineData("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG")]
    public void Malformed_or_unsupported_hashes_never_verify_and_never_throw(string? hash)
    {
        Assert.False(_hasher.Verify("U*U", hash!));
        Assert.False(_hasher.Verify("U*U"u8, hash));
        Assert.False(BcryptPasswordHasher.IsSupportedHash(hash));
        Assert.True(_hasher.NeedsRehash(hash));
    }

    [Fact]
    public void Nul_characters_are_refused_when_hashing_and_never_verify()
    {
        Assert.Throws<ArgumentException>(() => _hasher.Hash("pw\0suffix"));
        Assert.Throws<ArgumentException>(() => _hasher.Hash("pw\0"u8));
        var hash = _hasher.Hash("pw");
        // C would see only "pw": make sure that a NUL never truncates a candidate into a match.
        Assert.False(_hasher.Verify("pw\0suffix", hash));
        Assert.False(_hasher.Verify("pw\0"u8, hash));
    }

    [Fact]
    public void Null_password_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => _hasher.Hash((string)null!));
        Assert.Throws<ArgumentNullException>(() => _hasher.Verify((string)null!, "$2b$04$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    public void Cost_is_carried_by_the_hash(int cost)
    {
        var hasher = new BcryptPasswordHasher(cost);
        var hash = hasher.Hash("pw");

        Assert.Equal(cost, hasher.Cost);
        Assert.StartsWith($"$2b${cost:D2}$", hash, StringComparison.Ordinal);
        Assert.Equal(cost, BcryptPasswordHasher.GetCost(hash));
        Assert.True(hasher.Verify("pw", hash));
        // A hasher of another cost verifies it too: the cost comes from the stored hash.
        Assert.True(_hasher.Verify("pw", hash));
    }

    [Fact]
    public void Default_cost_is_12()
    {
        Assert.Equal(12, new BcryptPasswordHasher().Cost);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(32)]
    [InlineData(0)]
    [InlineData(-1)]
    public void Cost_out_of_range_is_refused(int cost)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BcryptPasswordHasher(cost));
    }

    [Fact]
    public void Needs_rehash_when_cheaper_or_older_variant()
    {
        var hasher = new BcryptPasswordHasher(5);

        Assert.True(hasher.NeedsRehash(_hasher.Hash("pw")));                   // cost 4 < 5
        Assert.False(hasher.NeedsRehash(hasher.Hash("pw")));                   // $2b$05$
        Assert.True(hasher.NeedsRehash("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
        Assert.False(_hasher.NeedsRehash("$2b$10$4HZ82X6..ctEqRZ6UBNgi.u2pyEPcOyDLPuS8dMMp0lh1IDN7FLMC"));
    }

    [Fact]
    public void Hashes_satisfy_the_database_check_constraint()
    {
        // The CHECK on motor_blocks/imap_app_credentials/vaultbox_smtp_credentials.password_hash.
        var pattern = new System.Text.RegularExpressions.Regex(@"^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$");
        for (var i = 0; i < 20; i++)
        {
            Assert.Matches(pattern, _hasher.Hash(PasswordGenerator.Generate()));
        }
    }

    [Fact]
    public async Task Concurrent_hashing_and_verification_is_consistent()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            var password = $"password-{i}";
            var hash = _hasher.Hash(password);
            return _hasher.Verify(password, hash) && !_hasher.Verify(password + "!", hash);
        })));

        Assert.All(results, Assert.True);
    }

    [Fact]
    public void Cost_12_timing_is_reported()
    {
        var hasher = new BcryptPasswordHasher();
        var stopwatch = Stopwatch.StartNew();
        var hash = hasher.Hash("timing-password");
        var hashTime = stopwatch.Elapsed;
        stopwatch.Restart();
        var ok = hasher.Verify("timing-password", hash);
        var verifyTime = stopwatch.Elapsed;

        Assert.True(ok);
        output.WriteLine($"bcrypt cost 12: hash {hashTime.TotalMilliseconds:F0} ms, verify {verifyTime.TotalMilliseconds:F0} ms");
    }
}

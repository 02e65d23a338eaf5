using System.Text.RegularExpressions;

namespace Encimap.Passwords.Tests;

public sealed class PasswordGeneratorTests
{
    [Fact]
    public void Default_password_is_24_characters_of_the_alphabet()
    {
        var password = PasswordGenerator.Generate();

        Assert.Equal(24, password.Length);
        Assert.All(password, c => Assert.Contains(c, PasswordGenerator.Alphabet));
    }

    [Fact]
    public void Alphabet_has_no_look_alikes_and_no_duplicates()
    {
        foreach (var ambiguous in "0O1lIo")
        {
            Assert.DoesNotContain(ambiguous, PasswordGenerator.Alphabet);
        }
        Assert.Equal(PasswordGenerator.Alphabet.Length, PasswordGenerator.Alphabet.Distinct().Count());
        Assert.Equal(56, PasswordGenerator.Alphabet.Length);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(72)]
    public void Length_is_honored(int length)
    {
        Assert.Equal(length, PasswordGenerator.Generate(length).Length);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(0)]
    [InlineData(73)]
    public void Length_out_of_range_is_refused(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordGenerator.Generate(length));
    }

    [Fact]
    public void Passwords_are_unique_and_use_the_whole_alphabet()
    {
        var passwords = Enumerable.Range(0, 2000).Select(_ => PasswordGenerator.Generate()).ToList();

        Assert.Equal(passwords.Count, passwords.Distinct(StringComparer.Ordinal).Count());
        // 48 000 characters from 56: every character turns up (a missing one has probability ~1e-370).
        Assert.Equal(PasswordGenerator.Alphabet.Order(), passwords.SelectMany(p => p).Distinct().Order());
    }
}

public sealed class UsernameGeneratorTests
{
    [Theory]
    [InlineData("call.example", "encimap-call-example-")]
    [InlineData("Mail.Shop.Example", "encimap-mail-shop-example-")]
    [InlineData("xn--bcher-kva.example", "encimap-xn--bcher-kva-example-")]
    [InlineData("a-b.c0.io", "encimap-a-b-c0-io-")]
    public void Username_has_the_unified_format(string domain, string expectedStart)
    {
        var username = UsernameGenerator.Generate(domain);

        Assert.StartsWith(expectedStart, username, StringComparison.Ordinal);
        Assert.Equal(expectedStart.Length + 6, username.Length);
        Assert.Matches(new Regex("^encimap-[a-z0-9-]+-[a-z0-9]{6}$"), username);
        Assert.Equal(username.ToLowerInvariant(), username);
        Assert.True(UsernameGenerator.IsUsernameFor(username, domain));
        // The encimap database's CHECK on vaultboxes.username.
        Assert.Matches(new Regex("^[a-z0-9][a-z0-9._-]*$"), username);
    }

    [Fact]
    public void Usernames_are_random()
    {
        var usernames = Enumerable.Range(0, 500).Select(_ => UsernameGenerator.Generate("call.example")).ToList();

        // 36^6 ≈ 2.2e9 suffixes: 500 draws collide with probability ~6e-5.
        Assert.True(usernames.Distinct(StringComparer.Ordinal).Count() >= 499);
        Assert.True(usernames.Select(u => u[^6..]).SelectMany(s => s).Distinct().Count() > 30);
    }

    [Theory]
    [InlineData("")]
    [InlineData("example")]
    [InlineData(".example.com")]
    [InlineData("example.com.")]
    [InlineData("exa mple.com")]
    [InlineData("-example.com")]
    [InlineData("example-.com")]
    [InlineData("ex..ample.com")]
    [InlineData("user@example.com")]
    [InlineData("bücher.example")]
    [InlineData("example.com\n")]
    [InlineData("exa_mple.com")]
    public void Invalid_domains_are_refused(string domain)
    {
        Assert.False(UsernameGenerator.IsValidDomain(domain));
        Assert.Throws<ArgumentException>(() => UsernameGenerator.Generate(domain));
    }

    [Fact]
    public void Long_label_and_long_domain_limits()
    {
        var label63 = new string('a', 63);
        Assert.True(UsernameGenerator.IsValidDomain(label63 + ".example"));
        Assert.False(UsernameGenerator.IsValidDomain(new string('a', 64) + ".example"));

        // A valid domain whose username would not fit the database's 128 characters.
        var longDomain = string.Join('.', label63, label63, "example");
        Assert.True(UsernameGenerator.IsValidDomain(longDomain));
        Assert.Throws<ArgumentException>(() => UsernameGenerator.Generate(longDomain));

        var longest = new string('a', 63) + "." + new string('b', UsernameGenerator.MaxDomainLength - 64);
        Assert.Equal(UsernameGenerator.MaxUsernameLength, UsernameGenerator.Generate(longest).Length);
    }

    [Fact]
    public void Null_domain_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => UsernameGenerator.Generate(null!));
        Assert.False(UsernameGenerator.IsValidDomain(null));
    }

    [Fact]
    public void IsUsernameFor_rejects_other_shapes()
    {
        Assert.False(UsernameGenerator.IsUsernameFor("encimap-call-example-abc12", "call.example"));
        Assert.False(UsernameGenerator.IsUsernameFor("encimap-call-example-ABC123", "call.example"));
        Assert.False(UsernameGenerator.IsUsernameFor("encimap-shop-example-abc123", "call.example"));
        Assert.True(UsernameGenerator.IsUsernameFor("encimap-call-example-abc123", "CALL.example"));
    }
}

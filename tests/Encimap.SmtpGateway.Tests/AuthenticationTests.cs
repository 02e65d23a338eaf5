using System.Globalization;
using System.Text;

namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// SPF, DKIM and DMARC at the MX, against a real DNS server (dnsmasq) and messages signed by
/// python3-dkim's dkimsign: the verdict is in the Authentication-Results field inside the
/// encrypted message; DMARC p=reject is refused with 550 5.7.1, p=quarantine lands in Junk, and
/// a DNS failure never loses mail.
/// </summary>
[Collection(SmtpFleetCollection.Name)]
public sealed class AuthenticationTests(SmtpFixture fleet)
{
    private string Port => fleet.MxPort.ToString(CultureInfo.InvariantCulture);

    private async Task<string> WriteAsync(byte[] content)
    {
        var path = Path.Combine(fleet.WorkDirectory, $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    private static byte[] Message(string from, string to, string body) => Encoding.UTF8.GetBytes(
        $"From: Sender <{from}>\r\nTo: <{to}>\r\nSubject: authentication\r\nMessage-ID: <{Guid.NewGuid():N}@sender.test>\r\nDate: Fri, 4 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");

    private async Task<Tool.Result> SwaksAsync(string from, string to, params string[] more) =>
        await Tool.RunAsync("swaks", ["--server", "127.0.0.1", "--port", Port, "--helo", "client.sender.test", "--from", from, "--to", to, .. more]);

    private async Task<string> StoredFieldAsync(Vaultbox box, byte[]? original = null, string mailbox = "INBOX")
    {
        var stored = Assert.Single(await box.WaitForMessagesAsync(1, mailbox));
        var decrypted = await box.DecryptAsync(stored);
        return original is null ? MarkedMessage.Split(decrypted).Field : MarkedMessage.AssertMarkedOriginal(original, decrypted);
    }

    private static void AssertHas(string expected, string field) =>
        Assert.True(field.Contains(expected, StringComparison.Ordinal), $"\"{expected}\" not in:\n{field}");

    [Fact]
    public async Task MessageSignedWithDkimsignLandsInInboxWithDkimPass()
    {
        var box = await fleet.CreateVaultboxAsync("dkim-pass");
        var from = $"news@{TestDomains.Signed}";
        var signed = await fleet.Dkim.SignAsync(TestDomains.DkimSelector, TestDomains.Signed, await WriteAsync(Message(from, box.Address, "Signed, sealed, delivered.")));

        var sent = await Tool.PythonAsync(Scripts.SendToMx, Port, from, box.Address, await WriteAsync(signed));
        Assert.True(sent.ExitCode == 0, sent.ToString());

        var field = await StoredFieldAsync(box, signed);
        AssertHas($"dkim=pass header.d={TestDomains.Signed} header.s={TestDomains.DkimSelector}", field);
        AssertHas($"dmarc=pass (p=none) header.from={TestDomains.Signed}", field);
        AssertHas($"spf=none smtp.mailfrom={from}", field);
        Assert.Empty(await box.MessagesAsync("Junk"));
    }

    [Fact]
    public async Task SignedMessageAlteredAfterSigningIsMarkedDkimFail()
    {
        var box = await fleet.CreateVaultboxAsync("dkim-fail");
        var from = $"news@{TestDomains.Signed}";
        var signed = await fleet.Dkim.SignAsync(TestDomains.DkimSelector, TestDomains.Signed, await WriteAsync(Message(from, box.Address, "Pay 10 EUR to the usual account.")));
        var altered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("Pay 10 EUR", "Pay 9000 EUR", StringComparison.Ordinal));
        Assert.NotEqual(signed, altered);

        var sent = await Tool.PythonAsync(Scripts.SendToMx, Port, from, box.Address, await WriteAsync(altered));
        Assert.True(sent.ExitCode == 0, sent.ToString());

        var field = await StoredFieldAsync(box, altered);
        AssertHas($"dkim=fail header.d={TestDomains.Signed} header.s={TestDomains.DkimSelector}", field);
        AssertHas($"dmarc=fail (p=none) header.from={TestDomains.Signed}", field);
    }

    [Fact]
    public async Task ForgedFromOfARejectDomainGets550AndNothingIsStored()
    {
        var box = await fleet.CreateVaultboxAsync("dmarc-reject");
        var forged = await SwaksAsync($"ceo@{TestDomains.Reject}", box.Address, "--header", "Subject: wire the money");
        Assert.NotEqual(0, forged.ExitCode);
        Assert.Contains("550 5.7.1", forged.Text);

        // A sender whose domain publishes nothing is delivered as before: the refusal was the policy's.
        var honest = await SwaksAsync("someone@elsewhere.test", box.Address);
        Assert.True(honest.ExitCode == 0, honest.ToString());
        var field = await StoredFieldAsync(box);
        AssertHas("dmarc=none", field);
        Assert.Empty(await box.MessagesAsync("Junk"));
    }

    [Fact]
    public async Task AReportOnlyVaultboxReceivesAForgedRejectMessageMarkedDmarcFailWhileTheDefaultRefusesIt()
    {
        var monitored = await fleet.CreateVaultboxAsync("dmarc-monitor");
        await monitored.SetDmarcEnforcementAsync("monitor");
        var defaulted = await fleet.CreateVaultboxAsync("dmarc-default");

        var accepted = await SwaksAsync($"ceo@{TestDomains.Reject}", monitored.Address, "--header", "Subject: wire the money");
        var refused = await SwaksAsync($"ceo@{TestDomains.Reject}", defaulted.Address, "--header", "Subject: wire the money");

        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Contains("250 2.0.0", accepted.Text);
        var field = await StoredFieldAsync(monitored);
        AssertHas($"spf=fail smtp.mailfrom=ceo@{TestDomains.Reject}", field);
        AssertHas($"dmarc=fail (p=reject) header.from={TestDomains.Reject}", field);
        Assert.Empty(await monitored.MessagesAsync("Junk"));

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("550 5.7.1", refused.Text);
        Assert.Empty(await defaulted.MessagesAsync());
        Assert.Empty(await defaulted.MessagesAsync("Junk"));
    }

    [Fact]
    public async Task AQuarantineOnlyVaultboxGetsAForgedRejectMessageInJunk()
    {
        var box = await fleet.CreateVaultboxAsync("dmarc-quarantine-only");
        await box.SetDmarcEnforcementAsync("quarantine");

        var sent = await SwaksAsync($"ceo@{TestDomains.Reject}", box.Address);

        Assert.True(sent.ExitCode == 0, sent.ToString());
        AssertHas($"dmarc=fail (p=reject) header.from={TestDomains.Reject}", await StoredFieldAsync(box, mailbox: "Junk"));
        Assert.Empty(await box.MessagesAsync());
    }

    [Fact]
    public async Task WithRecipientsOfDifferentSettingsTheMessageIsAcceptedAndEachSettingDecidesTheFolder()
    {
        var monitored = await fleet.CreateVaultboxAsync("mixed-monitor");
        await monitored.SetDmarcEnforcementAsync("monitor");
        var enforced = await fleet.CreateVaultboxAsync("mixed-enforce");
        await enforced.SetDmarcEnforcementAsync("enforce");
        var defaulted = await fleet.CreateVaultboxAsync("mixed-default");

        // Two recipients that refuse: refused for both.
        var refused = await SwaksAsync($"ceo@{TestDomains.Reject}", $"{enforced.Address},{defaulted.Address}");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("550 5.7.1", refused.Text);

        // One that takes it: accepted; the refusing ones get it in Junk, the monitoring one in INBOX.
        var sent = await SwaksAsync($"ceo@{TestDomains.Reject}", $"{monitored.Address},{enforced.Address},{defaulted.Address}");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("delivered to 3 mailboxes", sent.Text);
        AssertHas("dmarc=fail (p=reject)", await StoredFieldAsync(monitored));
        AssertHas("dmarc=fail (p=reject)", await StoredFieldAsync(enforced, mailbox: "Junk"));
        AssertHas("dmarc=fail (p=reject)", await StoredFieldAsync(defaulted, mailbox: "Junk"));
        Assert.Empty(await monitored.MessagesAsync("Junk"));
        Assert.Empty(await enforced.MessagesAsync());
        Assert.Empty(await defaulted.MessagesAsync());
    }

    [Fact]
    public async Task ALargeSignedMessageSpooledToAFilePassesDkim()
    {
        var box = await fleet.CreateVaultboxAsync("dkim-large");
        var from = $"news@{TestDomains.Signed}";
        var body = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i:D6} " + new string('d', 64) + "\r\n"));
        var signed = await fleet.Dkim.SignAsync(TestDomains.DkimSelector, TestDomains.Signed, await WriteAsync(Message(from, box.Address, body)));
        Assert.True(signed.Length > 2 * 1024 * 1024);

        var sent = await Tool.PythonAsync(Scripts.SendToMx, Port, from, box.Address, await WriteAsync(signed));
        Assert.True(sent.ExitCode == 0, sent.ToString());

        var field = await StoredFieldAsync(box, signed);
        AssertHas($"dkim=pass header.d={TestDomains.Signed} header.s={TestDomains.DkimSelector}", field);
        AssertHas($"dmarc=pass (p=none) header.from={TestDomains.Signed}", field);
    }

    [Fact]
    public async Task FailedQuarantinePolicyStoresTheMessageInJunk()
    {
        var box = await fleet.CreateVaultboxAsync("dmarc-quarantine");
        var sent = await SwaksAsync($"promo@{TestDomains.Quarantine}", box.Address, "--header", "Subject: you won");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("250 2.0.0", sent.Text);

        var field = await StoredFieldAsync(box, mailbox: "Junk");
        AssertHas($"spf=fail smtp.mailfrom=promo@{TestDomains.Quarantine}", field);
        AssertHas($"dmarc=fail (p=quarantine) header.from={TestDomains.Quarantine}", field);
        Assert.Empty(await box.MessagesAsync());
    }

    [Fact]
    public async Task QuarantinedMessageGoesToInboxWhenTheOwnerDeletedJunk()
    {
        var box = await fleet.CreateVaultboxAsync("no-junk");
        await box.DeleteMailboxAsync("Junk");
        var sent = await SwaksAsync($"promo@{TestDomains.Quarantine}", box.Address);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        AssertHas($"dmarc=fail (p=quarantine) header.from={TestDomains.Quarantine}", await StoredFieldAsync(box));
    }

    [Fact]
    public async Task SpfPassesFor127001AndFailsWhereTheDomainAllowsNobody()
    {
        var pass = await fleet.CreateVaultboxAsync("spf-pass");
        var sent = await SwaksAsync($"a@{TestDomains.SpfPass}", pass.Address);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        AssertHas($"spf=pass smtp.mailfrom=a@{TestDomains.SpfPass}", await StoredFieldAsync(pass));

        var fail = await fleet.CreateVaultboxAsync("spf-fail");
        sent = await SwaksAsync($"a@{TestDomains.SpfFail}", fail.Address);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        AssertHas($"spf=fail smtp.mailfrom=a@{TestDomains.SpfFail}", await StoredFieldAsync(fail));
    }

    public static TheoryData<string, string> SpfMechanismCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var (domain, _, result) in TestDomains.SpfMechanisms)
        {
            cases.Add(domain, result);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(SpfMechanismCases))]
    public async Task SpfMechanismsGiveTheResultRfc7208Defines(string domain, string result)
    {
        var box = await fleet.CreateVaultboxAsync("spf-" + domain.Split('.')[0]);
        var sent = await SwaksAsync($"a@{domain}", box.Address);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        AssertHas($"spf={result} smtp.mailfrom=a@{domain};", await StoredFieldAsync(box));
    }

    [Fact]
    public async Task NullReversePathIsCheckedAgainstTheHeloName()
    {
        var box = await fleet.CreateVaultboxAsync("spf-helo");
        var sent = await Tool.RunAsync("swaks", ["--server", "127.0.0.1", "--port", Port, "--helo", TestDomains.SpfPass, "--from", "<>", "--to", box.Address]);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        AssertHas($"spf=pass smtp.helo={TestDomains.SpfPass}", await StoredFieldAsync(box));
    }

    [Fact]
    public async Task WhenDnsIsDownMailIsAcceptedAndMarkedTemperror()
    {
        var box = await fleet.CreateVaultboxAsync("dns-down");
        await fleet.Dns.StopAsync();
        Tool.Result sent;
        try
        {
            // A p=reject domain whose records the MX cannot see: accepted, not refused.
            sent = await SwaksAsync($"ceo@{TestDomains.WhileDnsIsDown}", box.Address);
        }
        finally
        {
            await fleet.Dns.StartAsync();
        }

        Assert.True(sent.ExitCode == 0, sent.ToString());
        var field = await StoredFieldAsync(box);
        AssertHas($"spf=temperror smtp.mailfrom=ceo@{TestDomains.WhileDnsIsDown}", field);
        AssertHas($"dmarc=temperror header.from={TestDomains.WhileDnsIsDown}", field);
    }

    [Fact]
    public async Task AnswersWithoutRecordsAreRememberedSoTheNextMessageFromThatDomainAsksNoOneAgain()
    {
        // A domain nobody else uses, with neither SPF nor DMARC: NXDOMAIN for both.
        var domain = $"quiet-{Guid.NewGuid():N}.test";
        var box = await fleet.CreateVaultboxAsync("negative-cache");
        for (var i = 0; i < 3; i++)
        {
            var sent = await SwaksAsync($"a@{domain}", box.Address);
            Assert.True(sent.ExitCode == 0, sent.ToString());
        }

        var stored = await box.WaitForMessagesAsync(3);
        foreach (var message in stored)
        {
            var field = MarkedMessage.Split(await box.DecryptAsync(message)).Field;
            AssertHas($"spf=none smtp.mailfrom=a@{domain}", field);
            AssertHas($"dmarc=none header.from={domain}", field);
        }

        Assert.True(fleet.Dns.QueriesFor("TXT", domain) == 1, fleet.Dns.Log);
        Assert.True(fleet.Dns.QueriesFor("TXT", $"_dmarc.{domain}") == 1, fleet.Dns.Log);
    }

    [Fact]
    public async Task IncomingAuthenticationResultsClaimingOurNameAreRemovedAndOthersKept()
    {
        var box = await fleet.CreateVaultboxAsync("forged-ar");
        var body = Message($"ceo@{TestDomains.SpfFail}", box.Address, "Trust me.");
        var forged = Encoding.UTF8.GetBytes(
            $"Authentication-Results: {MarkedMessage.AuthServId.ToUpperInvariant()};\r\n\tdkim=pass header.d=bank.test\r\n" +
            "Authentication-Results: relay.elsewhere.test; spf=pass smtp.mailfrom=ceo@bank.test\r\n" +
            $"Authentication-Results: (comment) {MarkedMessage.AuthServId}; dmarc=pass\r\n")
            .Concat(body).ToArray();
        var sent = await Tool.PythonAsync(Scripts.SendToMx, Port, $"ceo@{TestDomains.SpfFail}", box.Address, await WriteAsync(forged));
        Assert.True(sent.ExitCode == 0, sent.ToString());

        var stored = Assert.Single(await box.WaitForMessagesAsync(1));
        var (field, rest) = MarkedMessage.Split(await box.DecryptAsync(stored));
        AssertHas("spf=fail", field);
        var kept = Encoding.UTF8.GetBytes("Authentication-Results: relay.elsewhere.test; spf=pass smtp.mailfrom=ceo@bank.test\r\n").Concat(body).ToArray();
        Assert.Equal(kept, rest);
    }
}

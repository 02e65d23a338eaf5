namespace Encimap.Mime.Tests;

public class EncodedWordsTests
{
    [Theory]
    // B and Q in several charsets
    [InlineData("=?UTF-8?B?SGVsbG8sIFfDtnJsZCE=?=", "Hello, Wörld!")]
    [InlineData("=?utf-8?q?caf=C3=A9_cr=C3=A8me?=", "café crème")]
    [InlineData("=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard")]
    [InlineData("=?iso-8859-1?b?QW5kcuk=?=", "André")]
    [InlineData("=?windows-1252?Q?=93quoted=94_=80_price?=", "\u201Cquoted\u201D € price")]
    [InlineData("=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは")]
    [InlineData("=?KOI8-R?B?8NLJ18XU?=", "Привет")]
    [InlineData("=?GB2312?B?xOO6ww==?=", "你好")]
    [InlineData("=?Shift_JIS?B?g2WDWINn?=", "テスト")]
    [InlineData("=?ISO-8859-15?Q?=A4uro?=", "€uro")]
    // whitespace between adjacent encoded words disappears (RFC 2047 §6.2), not between word and text
    [InlineData("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab")]
    [InlineData("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab")]
    [InlineData("=?UTF-8?Q?a?= b =?UTF-8?Q?c?=", "a b c")]
    [InlineData("=?UTF-8?Q?a_?=  =?ISO-8859-1?Q?=E9?=", "a é")]
    // a UTF-8 character split across two words
    [InlineData("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=", "€")]
    // RFC 2231 §5 language
    [InlineData("=?UTF-8*en?Q?Hello?=", "Hello")]
    // lenient: inside words and quoted strings, lower case encoding, missing padding
    [InlineData("Re:=?UTF-8?Q?_Gr=C3=BC=C3=9Fe?=", "Re: Grüße")]
    [InlineData("\"=?UTF-8?Q?M=C3=BCller?=\"", "\"Müller\"")]
    [InlineData("=?UTF-8?B?w6k?=", "é")]
    // unknown charset degrades to UTF-8 / windows-1252
    [InlineData("=?x-unknown?Q?Plain_Name?=", "Plain Name")]
    [InlineData("=?x-unknown?Q?caf=E9?=", "café")]
    [InlineData("=?x-unknown?B?Y2Fmw6k=?=", "café")]
    // not encoded words: kept as written
    [InlineData("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=")]
    [InlineData("=?UTF-8?Q?has space?=", "=?UTF-8?Q?has space?=")]
    [InlineData("=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated")]
    [InlineData("a =? b ?= c", "a =? b ?= c")]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    public void Decodes_encoded_words(string input, string expected)
    {
        Assert.Equal(expected, EncodedWords.Decode(input));
    }

    [Fact]
    public void Encoded_word_headers_decode_in_every_charset_of_the_corpus()
    {
        var message = Corpus.Parse("encoded-word-headers-many-charsets.eml");
        var to = AddressParser.Parse(message.Headers.First("To")!.RawValue);

        Assert.Equal("こんにちは — café", message.Subject);
        Assert.Equal("山田 太郎", AddressParser.Parse(message.Headers.First("From")!.RawValue)[0].DecodedName);
        Assert.Equal("\u201CZoë\u201D O\u2019Brien", to[0].DecodedName);
        Assert.Equal("André Pirard", to[1].DecodedName);
        Assert.Equal("Plain Name", AddressParser.Parse(message.Headers.First("Cc")!.RawValue)[0].DecodedName);
        Assert.Equal("こんにちは\r\n", message.Root.DecodeText());
    }

    [Fact]
    public void Many_false_starts_decode_in_linear_time()
    {
        var hostile = string.Concat(Enumerable.Repeat("=?a?b?", 200_000));
        var started = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(hostile, EncodedWords.Decode(hostile));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), started.Elapsed.ToString());
    }
}

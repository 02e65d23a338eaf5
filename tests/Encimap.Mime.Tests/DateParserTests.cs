namespace Encimap.Mime.Tests;

public class DateParserTests
{
    [Theory]
    // RFC 5322 §3.3
    [InlineData("Tue, 14 Nov 2023 09:41:27 +0100", "2023-11-14T09:41:27+01:00")]
    [InlineData("14 Nov 2023 09:41:27 -0800", "2023-11-14T09:41:27-08:00")]
    [InlineData("Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00+00:00")]
    [InlineData("Mon, 29 Feb 2016 23:59:59 +1400", "2016-02-29T23:59:59+14:00")]
    [InlineData("Sun, 19 Nov 2023 09:00:00 -0000", "2023-11-19T09:00:00+00:00")]
    // obsolete zone names (RFC 5322 §4.3)
    [InlineData("Tue, 14 Nov 2023 09:41:27 GMT", "2023-11-14T09:41:27+00:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 UT", "2023-11-14T09:41:27+00:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 EST", "2023-11-14T09:41:27-05:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 EDT", "2023-11-14T09:41:27-04:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 PST", "2023-11-14T09:41:27-08:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 cdt", "2023-11-14T09:41:27-05:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 Z", "2023-11-14T09:41:27+00:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 A", "2023-11-14T09:41:27+00:00")]
    // missing seconds, two- and three-digit years (RFC 5322 §4.3)
    [InlineData("Tue, 14 Nov 2023 09:41 +0100", "2023-11-14T09:41:00+01:00")]
    [InlineData("Fri, 5 Jan 24 10:00:00 GMT", "2024-01-05T10:00:00+00:00")]
    [InlineData("Thu, 1 Jan 98 10:00:00 GMT", "1998-01-01T10:00:00+00:00")]
    [InlineData("Thu, 1 Jan 049 10:00:00 GMT", "1949-01-01T10:00:00+00:00")]
    [InlineData("Thu, 1 Jan 123 10:00:00 GMT", "2023-01-01T10:00:00+00:00")]
    // forms seen in the wild
    [InlineData("Tue, 14 Nov 2023 09:41:27 +0100 (CET)", "2023-11-14T09:41:27+01:00")]
    [InlineData("Tue,14 Nov 2023 09:41:27 +0100", "2023-11-14T09:41:27+01:00")]
    [InlineData("Tue, 14 November 2023 09:41:27 +0100", "2023-11-14T09:41:27+01:00")]
    [InlineData("Tuesday, 14 Nov 2023 09:41:27 +0100", "2023-11-14T09:41:27+01:00")]
    [InlineData("  Tue,   14   Nov   2023   09:41:27   +0100  ", "2023-11-14T09:41:27+01:00")]
    [InlineData("Tue Nov 14 09:41:27 2023", "2023-11-14T09:41:27+00:00")]
    [InlineData("Tue Nov 14 09:41:27 CET 2023", "2023-11-14T09:41:27+01:00")]
    [InlineData("14-Nov-2023 09:41:27 +0100", "2023-11-14T09:41:27+01:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 +01:00", "2023-11-14T09:41:27+01:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 GMT+0100", "2023-11-14T09:41:27+01:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27.123 +0100", "2023-11-14T09:41:27+01:00")]
    [InlineData("Tue, 14 Nov 2023 09:41:27", "2023-11-14T09:41:27+00:00")]
    [InlineData("Tue, 14 Nov 2023 9:41:27 PM +0100", "2023-11-14T21:41:27+01:00")]
    [InlineData("Tue, 14 Nov 2023", "2023-11-14T00:00:00+00:00")]
    [InlineData("Sat, 31 Dec 2016 23:59:60 +0000", "2016-12-31T23:59:59+00:00")]
    [InlineData("2023-11-14T09:41:27Z", "2023-11-14T09:41:27+00:00")]
    [InlineData("2023-11-14 09:41:27 +01:00", "2023-11-14T09:41:27+01:00")]
    public void Parses_dates(string input, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DateParser.Parse(input));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset, DateParser.Parse(input)!.Value.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("yesterday")]
    [InlineData("Tue, 32 Nov 2023 09:41:27 +0100")]
    [InlineData("Tue, 29 Feb 2023 09:41:27 +0100")]
    [InlineData("Tue, 14 Nov 2023 25:00:00 +0100")]
    [InlineData("Tue, 14 Nov 2023 09:61:00 +0100")]
    [InlineData("Tue, 14 Foo 2023 09:41:27 +0100")]
    [InlineData("Tue, 14 Nov 20233 09:41:27 +0100")]
    [InlineData("11/14/2023 09:41")]
    [InlineData("Tue, 14 Nov 2023 09:41:27 +0100 garbage-with-dashes-and-digits-123")]
    [InlineData("::::")]
    [InlineData("Nov")]
    [InlineData("+0100")]
    [InlineData("Tue, 14 Nov 2023 09:41:27:12:13 +0100")]
    [InlineData("0 Nov 2023")]
    public void Unreadable_dates_are_null(string input)
    {
        Assert.Null(DateParser.Parse(input));
    }

    [Fact]
    public void Out_of_range_zone_reads_as_utc_and_huge_input_is_null()
    {
        Assert.Equal(TimeSpan.Zero, DateParser.Parse("Tue, 14 Nov 2023 09:41:27 +9900")!.Value.Offset);
        Assert.Null(DateParser.Parse(new string('1', 1_000_000)));
    }
}

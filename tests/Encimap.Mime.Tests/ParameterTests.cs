namespace Encimap.Mime.Tests;

public class ParameterTests
{
    [Theory]
    [InlineData("text/plain", "text", "plain", "")]
    [InlineData("TEXT/HTML; CHARSET=UTF-8", "text", "html", "charset=UTF-8")]
    [InlineData("text/plain; charset=\"iso-8859-1\"; format=flowed; delsp=yes", "text", "plain", "charset=iso-8859-1;format=flowed;delsp=yes")]
    [InlineData("multipart/mixed;\r\n boundary=\"----=_NextPart_000_0001_01DA1234.56789ABC\"", "multipart", "mixed", "boundary=----=_NextPart_000_0001_01DA1234.56789ABC")]
    [InlineData("text/plain; name=\"a \\\"quoted\\\" name.txt\"", "text", "plain", "name=a \"quoted\" name.txt")]
    [InlineData("text/plain (a comment) ; charset = us-ascii (another)", "text", "plain", "charset=us-ascii")]
    [InlineData("application/pdf; name=My Report 2023.pdf", "application", "pdf", "name=My Report 2023.pdf")]
    [InlineData("text/plain;; ; charset=utf-8;", "text", "plain", "charset=utf-8")]
    [InlineData("text/plain; charset=utf-8; charset=latin1", "text", "plain", "charset=utf-8")]
    [InlineData("text/plain; novalue; charset=utf-8", "text", "plain", "charset=utf-8")]
    [InlineData("text/plain; name=\"unterminated", "text", "plain", "name=unterminated")]
    [InlineData("text", "text", "plain", "")]
    [InlineData("multipart; boundary=b", "multipart", "mixed", "boundary=b")]
    // RFC 2231: charset and language, continuations, mixed encoded and plain sections, out of order
    [InlineData("application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", "application", "x-stuff", "title=This is ***fun***")]
    [InlineData("message/external-body; access-type=URL; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"", "message", "external-body", "access-type=URL;url=ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")]
    [InlineData("application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"", "application", "x-stuff", "title=This is even more ***fun*** isn't it!")]
    [InlineData("application/pdf; name*1*=Teil%20zwei.pdf; name*0*=utf-8''%C3%9Cbersicht%20", "application", "pdf", "name=Übersicht Teil zwei.pdf")]
    [InlineData("application/pdf; name*=iso-8859-1''r%E9sum%E9.pdf", "application", "pdf", "name=résumé.pdf")]
    [InlineData("application/pdf; name*=''plain.pdf", "application", "pdf", "name=plain.pdf")]
    [InlineData("application/pdf; name=\"fallback.pdf\"; name*=utf-8''%E2%82%AC.pdf", "application", "pdf", "name=€.pdf")]
    [InlineData("application/pdf; name*=utf-8''bad%ZZescape%", "application", "pdf", "name=bad%ZZescape%")]
    [InlineData("application/pdf; name*=x-unknown''caf%C3%A9", "application", "pdf", "name=café")]
    public void Content_type_parses_with_parameters(string value, string type, string subtype, string parameters)
    {
        var contentType = ContentType.Parse(value)!;

        Assert.Equal(type, contentType.MediaType);
        Assert.Equal(subtype, contentType.MediaSubtype);
        Assert.Equal(parameters, string.Join(";", contentType.Parameters.Select(p => $"{p.Key}={p.Value}")));
    }

    [Theory]
    [InlineData("")]
    [InlineData(";charset=utf-8")]
    [InlineData("/plain")]
    [InlineData("image/")]
    [InlineData("image")]
    [InlineData("\"text/plain\"")]
    public void Unreadable_content_type_is_null(string value)
    {
        Assert.Null(ContentType.Parse(value));
    }

    [Fact]
    public void Unreadable_content_type_header_falls_back_to_text_plain()
    {
        var message = Corpus.ParseText("Content-Type: garbage\r\n\r\nbody");

        Assert.Equal(ContentType.Default, message.Root.ContentType);
    }

    [Fact]
    public void Parameter_names_compare_case_insensitively()
    {
        var contentType = ContentType.Parse("text/plain; CharSet=UTF-8; Boundary=abc")!;

        Assert.Equal("UTF-8", contentType.Charset);
        Assert.Equal("abc", contentType.Boundary);
        Assert.Equal("UTF-8", contentType.Parameters["CHARSET"]);
    }

    [Theory]
    [InlineData("attachment; filename=\"report.pdf\"", "attachment", "report.pdf")]
    [InlineData("INLINE; FILENAME=image.png", "inline", "image.png")]
    [InlineData("attachment; filename*0*=utf-8''Quartalsbericht%20Q3%20%E2%80%93%20; filename*1*=Entwurf.pdf", "attachment", "Quartalsbericht Q3 – Entwurf.pdf")]
    [InlineData("attachment; filename*0=\"long file \"; filename*1=\"name.txt\"", "attachment", "long file name.txt")]
    [InlineData("attachment; filename=\"=?UTF-8?B?0YTQvtGC0L4ucG5n?=\"", "attachment", "фото.png")]
    [InlineData("attachment; filename=\"=?iso-8859-1?Q?r=E9sum=E9.doc?=\"", "attachment", "résumé.doc")]
    [InlineData("attachment", "attachment", null)]
    [InlineData("attachment; size=1234; creation-date=\"Wed, 08 Nov 2023 10:14:41 GMT\"", "attachment", null)]
    public void Content_disposition_parses(string value, string kind, string? fileName)
    {
        var disposition = ContentDisposition.Parse(value)!;

        Assert.Equal(kind, disposition.Kind);
        Assert.Equal(fileName, disposition.FileName);
    }

    [Fact]
    public void Disposition_without_kind_is_null()
    {
        Assert.Null(ContentDisposition.Parse("; filename=x"));
    }

    [Fact]
    public void Content_type_records_compare_by_value()
    {
        Assert.Equal(ContentType.Parse("text/plain; charset=utf-8"), ContentType.Parse("TEXT/Plain; Charset=utf-8"));
        Assert.NotEqual(ContentType.Parse("text/plain; charset=utf-8"), ContentType.Parse("text/plain; charset=UTF-8"));
    }
}

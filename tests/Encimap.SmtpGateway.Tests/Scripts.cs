namespace Encimap.SmtpGateway.Tests;

/// <summary>Python smtplib scripts: a client nobody here wrote.</summary>
public static class Scripts
{
    /// <summary>argv: port, sender, recipient, message file, [SMTPUTF8]. Prints the EHLO features.</summary>
    public const string SendToMx = """
        import smtplib, sys
        port, sender, rcpt, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
        utf8 = len(sys.argv) > 5
        raw = open(path, 'rb').read()
        with smtplib.SMTP('127.0.0.1', port, timeout=120) as s:
            s.ehlo('python.test')
            for keyword in ('pipelining', 'size', '8bitmime', 'smtputf8', 'enhancedstatuscodes', 'chunking', 'starttls'):
                assert s.has_extn(keyword), keyword
            assert not s.has_extn('auth')
            options = ['SMTPUTF8', 'BODY=8BITMIME'] if utf8 else ['BODY=8BITMIME']
            refused = s.sendmail(sender, [rcpt], raw, mail_options=options)
            assert not refused, refused
            print('sent', len(raw))
        """;

    /// <summary>argv: port, cafile, user, password, mechanism (PLAIN|LOGIN), sender, recipient, message file.</summary>
    public const string Submit = """
        import smtplib, ssl, sys
        port, cafile, user, password, mechanism, sender, rcpt, path = sys.argv[1:9]
        raw = open(path, 'rb').read()
        context = ssl.create_default_context(cafile=cafile)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        with smtplib.SMTP('127.0.0.1', int(port), timeout=60) as s:
            s.ehlo('python.test')
            assert not s.has_extn('auth'), 'AUTH offered before TLS'
            s.starttls(context=context)
            s.ehlo('python.test')
            assert 'PLAIN' in s.esmtp_features['auth'] and 'LOGIN' in s.esmtp_features['auth'], s.esmtp_features
            s.user, s.password = user, password
            if mechanism == 'LOGIN':
                s.auth('LOGIN', s.auth_login, initial_response_ok=False)
            else:
                s.auth('PLAIN', s.auth_plain)
            try:
                refused = s.sendmail(sender, [rcpt], raw)
                print('sent', refused)
            except smtplib.SMTPSenderRefused as e:
                print('sender refused', e.smtp_code, e.smtp_error.decode())
            except smtplib.SMTPDataError as e:
                print('data refused', e.smtp_code, e.smtp_error.decode())
        """;
}

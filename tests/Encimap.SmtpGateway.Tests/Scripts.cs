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

    /// <summary>
    /// argv: port, cafile, sequential|parallel, attempts (JSON: [{source, user, password, mechanism}]).
    /// Each attempt connects from its own source address (Linux routes all of 127/8 to the loopback
    /// interface), starts TLS and sends one AUTH. Prints, in the order of the attempts, JSON
    /// [{code, text, seconds}] where seconds is how long the AUTH took.
    /// </summary>
    public const string AuthAttempts = """
        import json, smtplib, ssl, sys, threading, time
        port, cafile, mode, attempts = int(sys.argv[1]), sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
        context = ssl.create_default_context(cafile=cafile)

        def attempt(item):
            s = smtplib.SMTP('127.0.0.1', port, timeout=60, source_address=(item['source'], 0))
            s.ehlo('python.test')
            s.starttls(context=context)
            s.ehlo('python.test')
            s.user, s.password = item['user'], item['password']
            started = time.monotonic()
            try:
                if item['mechanism'] == 'LOGIN':
                    code, text = s.auth('LOGIN', s.auth_login, initial_response_ok=False)
                else:
                    code, text = s.auth('PLAIN', s.auth_plain)
            except smtplib.SMTPResponseException as e:
                code, text = e.smtp_code, e.smtp_error
            seconds = time.monotonic() - started
            try:
                s.quit()
            except (smtplib.SMTPException, OSError):
                pass
            return {'code': code, 'text': text.decode(), 'seconds': seconds}

        results = [None] * len(attempts)
        def run(i):
            results[i] = attempt(attempts[i])
        if mode == 'parallel':
            threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        else:
            for i in range(len(attempts)):
                run(i)
        print(json.dumps(results))
        """;
}

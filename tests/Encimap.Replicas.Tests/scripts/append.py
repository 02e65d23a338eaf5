# Appends one message to INBOX through one IMAP server; prints the time APPEND completed.
# append.py HOST PORT USER PASSWORD SUBJECT
import imaplib, ssl, sys, time

host, port, user, password, subject = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
imap = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=60)
imap.login(user, password)
message = f"From: owner@example.com\r\nSubject: {subject}\r\n\r\nappended\r\n".encode()
typ, data = imap.append("INBOX", None, None, message)
if typ != "OK":
    raise SystemExit(f"APPEND failed: {data!r}")
print(f"{time.time():.3f}")
imap.logout()

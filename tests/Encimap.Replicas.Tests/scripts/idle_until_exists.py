# Idles on one IMAP server until a new message appears; prints the time it was announced.
# idle_until_exists.py HOST PORT USER PASSWORD MARKER_FILE
import imaplib, ssl, sys, time

host, port, user, password, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
imap = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=60)
imap.login(user, password)
typ, data = imap.select("INBOX")
before = int(data[0])
tag = imap._new_tag().decode()
imap.send(f"{tag} IDLE\r\n".encode())
line = imap.readline()
if not line.startswith(b"+"):
    raise SystemExit(f"IDLE refused: {line!r}")
open(marker, "w").close()
while True:
    line = imap.readline()
    if not line:
        raise SystemExit("connection closed during IDLE")
    if line.startswith(b"* ") and line.rstrip().endswith(b"EXISTS") and int(line.split()[1]) > before:
        print(f"{time.time():.3f}")
        break
imap.send(b"DONE\r\n")
imap.readline()
imap.logout()

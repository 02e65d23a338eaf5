"""FETCH, COPY, MOVE and EXPUNGE of one large message with Python's imaplib, over implicit TLS.

usage: imaplib_large.py HOST PORT USER PASSWORD OUTDIR PARTIAL_START PARTIAL_LENGTH
       imaplib_large.py HOST PORT USER PASSWORD expunge
The first saves under OUTDIR: inbox.eml (UID FETCH BODY.PEEK[] in INBOX), partial.eml
(BODY.PEEK[]<start.len>), drafts.eml (UID 1 in Drafts), archive.eml (the COPY in Archive), trash.eml (the same moved to Trash).
The second expunges everything in Trash. Each prints one JSON object with what it saw.
"""
import imaplib
import json
import os
import ssl
import sys

host, port, user, password, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
result = {}


def save(name, data):
    literal = [d[1] for d in data if isinstance(d, tuple)]
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(literal[0])
    return [d[0].decode() for d in data if isinstance(d, tuple)][0]


imap = imaplib.IMAP4_SSL(host, port, ssl_context=context)
imap.login(user, password)
if outdir == "expunge":
    imap.select("Trash")
    typ, data = imap.uid("STORE", "1:*", "+FLAGS.SILENT", "(\\Deleted)")
    result["store"] = typ
    typ, data = imap.expunge()
    result["expunge"] = typ
    imap.logout()
    print(json.dumps(result))
    sys.exit(0)

start, length = int(sys.argv[6]), int(sys.argv[7])
imap.select("INBOX")
typ, data = imap.uid("FETCH", "1", "(RFC822.SIZE BODY.PEEK[])")
result["inbox"] = save("inbox.eml", data)
typ, data = imap.uid("FETCH", "1", "(BODY.PEEK[]<%d.%d>)" % (start, length))
result["partial"] = save("partial.eml", data)
imap.select("Drafts")
typ, data = imap.uid("FETCH", "1", "(BODY.PEEK[])")
result["drafts"] = save("drafts.eml", data)
imap.select("INBOX")
typ, data = imap.uid("COPY", "1", "Archive")
result["copy"] = typ
imap.select("Archive")
typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
result["archive"] = save("archive.eml", data)
typ, data = imap.uid("MOVE", "1:*", "Trash")
result["move"] = typ
imap.select("Trash")
typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
result["trash"] = save("trash.eml", data)
imap.logout()
print(json.dumps(result))

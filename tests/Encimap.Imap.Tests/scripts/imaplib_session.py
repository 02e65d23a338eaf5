"""A whole IMAP session with Python's imaplib, over implicit TLS.

usage: imaplib_session.py HOST PORT USER PASSWORD OUTDIR
Saves fetched messages under OUTDIR (for decryption by the caller), writes OUTDIR/idle-started
when an IDLE is under way (the caller then delivers a message) and prints one JSON object with
what it saw.
"""
import imaplib
import json
import os
import re
import ssl
import sys
import time

host, port, user, password, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
result = {}


def text(data):
    return [d.decode("utf-8", "replace") if isinstance(d, bytes) else [x.decode("utf-8", "replace") for x in d] for d in data if d is not None]


def fetch_literals(data):
    """(metadata line, literal) pairs of a FETCH answer."""
    return [(d[0].decode(), d[1]) for d in data if isinstance(d, tuple)]


imap = imaplib.IMAP4_SSL(host, port, ssl_context=context)
result["capabilities"] = list(imap.capabilities)
typ, _ = imap.login(user, password)
result["login"] = typ
typ, data = imap.list()
result["list"] = text(data)
typ, data = imap.list('""', "*")
typ, data = imap.select("INBOX")
result["exists"] = int(data[0])

typ, data = imap.uid("FETCH", "1:*", "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY BINARY.SIZE[1] MODSEQ)")
result["meta"] = text(data)
typ, data = imap.uid("SEARCH", None, "ALL")
uids = data[0].decode().split()
result["uids"] = uids

for uid in uids:
    typ, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    with open(os.path.join(outdir, f"inbox-{uid}.eml"), "wb") as f:
        f.write(fetch_literals(data)[0][1])

first = uids[0]
sections = {}
for item in ["BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]", "BODY.PEEK[1]", "BODY.PEEK[1.MIME]", "BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]",
             "BODY.PEEK[HEADER.FIELDS.NOT (RECEIVED)]", "BODY.PEEK[]<0.100>", "RFC822.HEADER", "BINARY.PEEK[1]"]:
    typ, data = imap.uid("FETCH", first, f"({item})")
    pairs = fetch_literals(data)
    sections[item] = {"status": typ, "meta": pairs[0][0] if pairs else text(data), "length": len(pairs[0][1]) if pairs else -1,
                      "start": pairs[0][1][:60].decode("ascii", "replace") if pairs else ""}
result["sections"] = sections
typ, data = imap.uid("FETCH", first, "(FLAGS)")
result["seen_after_peek"] = text(data)
typ, data = imap.uid("FETCH", first, "(RFC822 RFC822.TEXT)")
with open(os.path.join(outdir, "rfc822.eml"), "wb") as f:
    f.write(fetch_literals(data)[0][1])
typ, data = imap.uid("FETCH", first, "(FLAGS)")
result["seen_after_rfc822"] = text(data)

searches = {}
for criteria in ["ALL", "SEEN", "UNSEEN", 'SUBJECT "second"', 'FROM "alice"', 'TO "nobody-here"', 'HEADER Message-ID "third"', "LARGER 100",
                 "SMALLER 100", 'SINCE 1-Jan-2020', 'BEFORE 1-Jan-2020', 'SENTSINCE 1-Jan-2024', 'TEXT "alice"', 'BODY "second"',
                 "OR SEEN FLAGGED", "NOT SEEN", "1:2", f"UID {first}", "DELETED", "NEW", "OLD", "ANSWERED"]:
    typ, data = imap.uid("SEARCH", None, criteria)
    searches[criteria] = data[0].decode().split()
result["search"] = searches
typ, data = imap.search(None, "ALL")
result["search_sequence"] = data[0].decode().split()

typ, data = imap.uid("STORE", uids[1], "+FLAGS", r"(\Flagged $Work)")
result["store"] = text(data)
typ, data = imap.uid("STORE", uids[1], "-FLAGS.SILENT", r"($Work)")
typ, data = imap.uid("FETCH", uids[1], "(FLAGS)")
result["flags_after_store"] = text(data)

typ, data = imap.uid("COPY", uids[1], "Archive")
result["copy"] = [typ, text(imap.response("COPYUID")[1])]
typ, data = imap._simple_command("UID", "MOVE", uids[2], "Trash")
result["move"] = [typ, text(imap.response("COPYUID")[1]), text(imap.response("EXPUNGE")[1])]
typ, data = imap.uid("STORE", uids[0], "+FLAGS", r"(\Deleted)")
typ, data = imap.expunge()
result["expunge"] = text(data)
typ, data = imap.uid("SEARCH", None, "ALL")
result["uids_after"] = data[0].decode().split()

appended = open(os.path.join(outdir, "append.eml"), "rb").read()
typ, data = imap.append("Drafts", r"(\Draft \Seen)", imaplib.Time2Internaldate(time.mktime((2021, 5, 6, 7, 8, 9, 0, 0, -1))), appended)
result["append"] = [typ, text(data)]
typ, data = imap.append("NoSuchFolder", None, None, appended)
result["append_missing"] = [typ, text(data)]
typ, data = imap.status("Drafts", "(MESSAGES UIDNEXT UNSEEN)")
result["status_drafts"] = text(data)
typ, data = imap.select("Drafts")
typ, data = imap.fetch("1", "(FLAGS INTERNALDATE BODY.PEEK[])")
pairs = fetch_literals(data)
result["appended_meta"] = pairs[0][0]
with open(os.path.join(outdir, "appended.eml"), "wb") as f:
    f.write(pairs[0][1])

# IDLE (imaplib has no idle() before Python 3.14): by hand.
imap.select("INBOX")
tag = imap._new_tag()
imap.send(tag + b" IDLE\r\n")
result["idle_continuation"] = imap.readline().decode().strip()
open(os.path.join(outdir, "idle-started"), "w").close()
started = time.monotonic()
imap.sock.settimeout(20)
line = imap.readline().decode().strip()
result["idle_update"] = line
result["idle_seconds"] = time.monotonic() - started
result["idle_update_time"] = time.time()
imap.send(b"DONE\r\n")
done = imap.readline().decode().strip()
while not done.startswith(tag.decode()):
    done = imap.readline().decode().strip()
result["idle_done"] = done
imap.sock.settimeout(None)
typ, data = imap.logout()
result["logout"] = typ
print(json.dumps(result))

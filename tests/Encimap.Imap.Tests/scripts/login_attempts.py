"""IMAP logins over implicit TLS with Python's imaplib, each from a local address of its own choosing.

usage: login_attempts.py HOST PORT CAFILE sequential|parallel ATTEMPTS_JSON
ATTEMPTS_JSON is a list of {"source": "127.0.0.2", "user": ..., "password": ...}. Each attempt
opens its own connection from its source address (Linux routes all of 127/8 to the loopback
interface) and sends one LOGIN. Prints a JSON list, in the order of the attempts, of
{"answer": "OK ..." | "NO [CODE] ...", "seconds": how long the LOGIN took}.
"""
import imaplib
import json
import socket
import ssl
import sys
import threading
import time

host, port, cafile, mode, attempts = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
context = ssl.create_default_context(cafile=cafile)


class BoundImap(imaplib.IMAP4_SSL):
    """IMAP4_SSL whose socket is bound to a chosen local address before it connects."""

    def __init__(self, source, *args, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def attempt(item):
    imap = BoundImap(item["source"], host, port, ssl_context=context, timeout=60)
    started = time.monotonic()
    try:
        typ, data = imap.login(item["user"], item["password"])
        answer = typ + " " + data[-1].decode()
    except imaplib.IMAP4.error as e:
        detail = e.args[0]
        answer = "NO " + (detail.decode() if isinstance(detail, bytes) else str(detail))
    seconds = time.monotonic() - started
    try:
        imap.logout()
    except (imaplib.IMAP4.error, OSError):
        pass
    return {"answer": answer, "seconds": seconds}


results = [None] * len(attempts)
if mode == "parallel":
    def run(i):
        results[i] = attempt(attempts[i])
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
else:
    for i, item in enumerate(attempts):
        results[i] = attempt(item)
print(json.dumps(results))

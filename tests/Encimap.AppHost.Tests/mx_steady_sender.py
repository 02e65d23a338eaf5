"""Sends one message to an MX every INTERVAL seconds for DURATION seconds, each on its own
connection and thread (a steady offered rate that a stalled delivery does not slow), and prints
one line per message: its Message-ID, the reply code it ended with (0: no reply, the connection
failed), and when it was sent and answered (Unix time, seconds).

Usage: mx_steady_sender.py HOST PORT RECIPIENT DURATION INTERVAL
"""
import concurrent.futures
import smtplib
import sys
import threading
import time
import uuid

host, port, recipient = sys.argv[1], int(sys.argv[2]), sys.argv[3]
duration, interval = float(sys.argv[4]), float(sys.argv[5])
print_lock = threading.Lock()


def send(number):
    message_id = f"{uuid.uuid4().hex}@failover.test"
    message = (
        f"From: <sender@failover.test>\r\nTo: <{recipient}>\r\nSubject: failover {number}\r\n"
        f"Message-ID: <{message_id}>\r\nDate: Fri, 4 Dec 2026 12:00:00 +0000\r\n\r\nmessage {number}\r\n"
    )
    sent = time.time()
    code = 0
    try:
        with smtplib.SMTP(host, port, local_hostname="client.failover.test", timeout=60) as smtp:
            smtp.ehlo()
            code, _ = smtp.mail("sender@failover.test")
            if code == 250:
                code, _ = smtp.rcpt(recipient)
            if code in (250, 251):
                code, _ = smtp.data(message)
    except smtplib.SMTPResponseException as e:
        code = e.smtp_code
    except (OSError, smtplib.SMTPException):
        code = 0
    with print_lock:
        print(f"{message_id} {code} {sent:.3f} {time.time():.3f}", flush=True)


start = time.time()
with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
    number = 0
    while time.time() - start < duration:
        number += 1
        pool.submit(send, number)
        time.sleep(max(0.0, start + number * interval - time.time()))

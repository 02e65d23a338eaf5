# Submits messages through STARTTLS and AUTH: submit.py HOST PORT USER PASSWORD FROM MARKER COUNT
import smtplib, ssl, sys
from email.message import EmailMessage
from email.utils import make_msgid

host, port, user, password, sender, marker, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with smtplib.SMTP(host, port, timeout=60) as smtp:
    smtp.starttls(context=context)
    smtp.login(user, password)
    for i in range(count):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = f"someone{i}@remote.example"
        message["Subject"] = f"{marker} {i}"
        message["Message-ID"] = make_msgid(idstring=f"{marker}-{i}", domain="replicas.test")
        message.set_content(f"outbound {marker} {i}\n")
        smtp.send_message(message)
print("submitted", count)

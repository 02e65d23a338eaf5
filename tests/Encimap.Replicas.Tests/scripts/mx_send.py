# Sends messages to an MX with smtplib: mx_send.py HOST PORT RECIPIENT MARKER COUNT
import smtplib, sys
from email.message import EmailMessage

host, port, recipient, marker, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
with smtplib.SMTP(host, port, timeout=60) as smtp:
    smtp.ehlo("client.test.example")
    for i in range(count):
        message = EmailMessage()
        message["From"] = "sender@elsewhere.example"
        message["To"] = recipient
        message["Subject"] = f"{marker} {i}"
        message.set_content(f"body of {marker} {i}\n")
        smtp.send_message(message)
print("sent", count)

"""Sending email over SMTP with the configured host, port, security and credentials."""

from __future__ import annotations

import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from tracker.config import Settings
from tracker.models._base import utcnow


class MailNotConfigured(RuntimeError):
    pass


def sender_domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_from)[1]
    return address.rsplit("@", 1)[1] if "@" in address else "localhost"


def build_message(
    *,
    settings: Settings,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    unsubscribe_url: str,
    attachment: tuple[str, bytes] | None = None,
) -> EmailMessage:
    """A digest as an email: plain text and HTML, and an optional PDF (file name, bytes)."""
    # No folding below the RFC 5322 limit: a folded List-Unsubscribe URL becomes an encoded
    # word, which mail clients do not read as a link.
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    message["From"] = settings.mail_from
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    # RFC 8058 one-click unsubscribe: mail clients POST to the URL.
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if attachment is not None:
        name, data = attachment
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message


def send(*, settings: Settings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raises on refusal or failure."""
    if not settings.mail_enabled:
        raise MailNotConfigured("TRACKER_SMTP_HOST is not set")
    timeout = settings.smtp_timeout_seconds
    if settings.smtp_security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password)
        client.send_message(message)

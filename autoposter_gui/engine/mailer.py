"""Sending one plain-text email with the saved SMTP settings (smtplib, TLS certificates always verified)."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from autoposter_gui.domain.errors import AutoposterError, ValidationError
from autoposter_gui.domain.known_secrets import mask
from autoposter_gui.engine.settings import SmtpSettings

log = logging.getLogger(__name__)
# Extra certificate authorities to trust (PEM file), on top of the system's: a company mail server with its own CA.
CAFILE_ENV = "AUTOPOSTER_SMTP_CAFILE"
TIMEOUT_SECONDS = 20.0


class MailError(AutoposterError):
    """The email could not be sent; the message says why in one line (the server's own words where it gave any)."""


def tls_context(cafile: str | None = None) -> ssl.SSLContext:
    """The system's trusted certificates (plus ``cafile`` or ``AUTOPOSTER_SMTP_CAFILE``); host names are checked."""
    context = ssl.create_default_context()
    extra = cafile or os.environ.get(CAFILE_ENV)
    if extra:
        context.load_verify_locations(cafile=extra)
    return context


def build_message(smtp: SmtpSettings, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    sender = smtp.sender or (smtp.username if smtp.username and "@" in smtp.username else None) or smtp.recipients[0]
    message["From"] = sender
    message["To"] = ", ".join(smtp.recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(mask(body))  # a secret this process has seen never goes out, whatever the text says
    return message


def send(smtp: SmtpSettings, subject: str, body: str, *, cafile: str | None = None) -> None:
    """Send ``body`` to the saved recipients. Raises ValidationError when the settings are incomplete, MailError
    (one line, never the password) when the server can't be reached or refuses."""
    if not smtp.host:
        raise ValidationError("No mail server is set: run `autoposter settings set smtp.host SERVER` first")
    if not smtp.recipients:
        raise ValidationError("No one to send to is set: run `autoposter settings set smtp.to ADDRESS` first")
    if smtp.username and not smtp.password:
        raise ValidationError(
            "smtp.username is set but the password is not: run `autoposter settings set smtp.password -` and type it"
        )
    message = build_message(smtp, subject, body)
    where = f"{smtp.host}:{smtp.port}"
    try:
        context = tls_context(cafile)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"Cannot read the certificate file in {CAFILE_ENV} ({exc})") from None
    try:
        _deliver(smtp, message, context)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"The mail server {where} refused the username or password: {_said(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        said = "; ".join(f"{rcpt}: {_reply(code, text)}" for rcpt, (code, text) in exc.recipients.items())
        raise MailError(f"The mail server {where} refused the recipient: {said}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"The mail server {where} refused the sender {exc.sender}: {_said(exc)}") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f"The mail server {where} does not accept a login on this connection; check smtp.security "
            "(most servers want starttls or ssl before a login)"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"The mail server {where} refused the email: {_said(exc)}") from None
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"The certificate of the mail server {where} could not be verified ({exc.verify_message}); "
            "check smtp.host (it must be the name on the server's certificate)"
        ) from None
    except ssl.SSLError as exc:
        raise MailError(
            f"A secure connection to the mail server {where} failed ({exc.reason or type(exc).__name__}); "
            f"check that smtp.security ({smtp.security}) is what the server expects on port {smtp.port}"
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise MailError(f"The mail server {where} closed the connection: {exc or 'no reason given'}") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"Sending through the mail server {where} failed: {exc}") from None
    except TimeoutError:
        raise MailError(f"The mail server {where} did not answer within {TIMEOUT_SECONDS:.0f} seconds") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise MailError(f"Could not reach the mail server {where}: {reason}; check smtp.host and smtp.port") from None
    log.info("email sent to %d recipient(s) through %s", len(smtp.recipients), where)


def _deliver(smtp: SmtpSettings, message: EmailMessage, context: ssl.SSLContext) -> None:
    assert smtp.host is not None
    client: smtplib.SMTP
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS)
    with client:
        client.ehlo()
        if smtp.security == "starttls":
            if not client.has_extn("starttls"):
                raise MailError(
                    f"The mail server {smtp.host}:{smtp.port} does not offer STARTTLS; set smtp.security to ssl "
                    "(usually port 465) or none"
                )
            client.starttls(context=context)
            client.ehlo()
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return mask(f"{code} {' '.join(words.split())}")


def _said(exc: smtplib.SMTPResponseException) -> str:
    return _reply(exc.smtp_code, exc.smtp_error)

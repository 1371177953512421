"""Mail under a stable Message-ID: the same alert sent again (a retry, a re-send after a
crash) carries the same Message-ID, so a mail system that drops repeats drops it.

apprise's email service gives every message a fresh random Message-ID and offers no hook
to set it, so ``KeyedEmail`` keeps apprise's reading of the URL (server, security, login,
sender, recipients, headers) and composes and submits each message itself. The
Message-ID is derived from the message's idempotency key (its ``Idempotency-Key``
header), the sender and the subject, so two installations sending the same key to one
mailbox do not silence each other's different alerts.
"""

from __future__ import annotations

import email.policy
import hashlib
import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

import apprise.conversion
import apprise.plugins.email
from apprise.common import NotifyFormat

from monitor.notify.channels import KEY_HEADER

# apprise's types are partial and differ between releases: it is used through ``Any``.
NotifyEmail: Any = apprise.plugins.email.NotifyEmail
convert_between: Any = apprise.conversion.convert_between
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def message_id(key: str, sender: str, subject: str) -> str:
    """The Message-ID of every sending of the message with this idempotency key."""
    digest = hashlib.sha256("\n".join((key, sender, subject)).encode()).hexdigest()[:40]
    domain = sender.rpartition("@")[2]
    return f"<{digest}@{domain if _DOMAIN.fullmatch(domain) else 'monitor.invalid'}>"


class KeyedEmail(NotifyEmail):  # type: ignore[misc]  # apprise's class, untyped
    """apprise's mailto:// and mailtos:// service, sending under a stable Message-ID."""

    def send(
        self,
        body: str,
        title: str = "",
        notify_type: Any = None,
        attach: Any = None,
        body_format: Any = None,
        **kwargs: Any,
    ) -> bool:
        key = self.headers.get(KEY_HEADER)
        if not key or attach or str(getattr(self, "pgp_mode", "no")) != "no":
            # nothing to derive a Message-ID from, or what only apprise composes
            if body_format is not None:  # apprise 1.9 has no such parameter
                kwargs["body_format"] = body_format
            sent = super().send(body, title=title, notify_type=notify_type, attach=attach, **kwargs)
            return bool(sent)
        if not self.targets:
            self.logger.warning("There are no Email recipients to notify")
            return False
        resolve = getattr(self, "resolve_format", None)  # apprise 2: several formats
        fmt = resolve(body_format) if resolve else self.notify_format
        html = str(getattr(fmt, "value", fmt)).lower() == "html"
        subject = " ".join(title.split())
        sender = str(self.from_addr[1])
        msgid = message_id(key, sender, subject)
        self.throttle()
        ok = True
        try:
            with self._connect() as smtp:
                for to_name, to_addr in self.targets:
                    message, recipients = self._compose(to_name, to_addr, subject, body, html)
                    del message["Message-ID"]  # one given as a URL header (?+Message-ID=)
                    message["Message-ID"] = msgid
                    try:
                        refused = smtp.sendmail(sender, recipients, message.as_bytes())
                    except smtplib.SMTPServerDisconnected:
                        raise
                    except smtplib.SMTPException as exc:
                        self.logger.warning('Sending email to "%s" failed: %s', to_addr, exc)
                        ok = False
                        continue
                    if refused:
                        self.logger.warning("SMTP refused recipients: %s", refused)
                        ok = False
                    else:
                        self.logger.info("Sent Email to %s", to_addr)
        except (OSError, smtplib.SMTPException, RuntimeError) as exc:
            self.logger.warning(
                'Connection error while submitting email to "%s": %s', self.smtp_host, exc
            )
            return False
        return ok

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if not self.verify_certificate:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        mode = str(self.secure_mode).lower()
        timeout = self.socket_connect_timeout
        smtp = (
            smtplib.SMTP_SSL(self.smtp_host, self.port, timeout=timeout, context=context)
            if mode == "ssl"
            else smtplib.SMTP(self.smtp_host, self.port, timeout=timeout)
        )
        try:
            if mode == "starttls":
                smtp.starttls(context=context)
            if self.user and self.password:
                smtp.login(self.user, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _compose(
        self, to_name: Any, to_addr: str, subject: str, body: str, html: bool
    ) -> tuple[EmailMessage, list[str]]:
        """One recipient's copy, with apprise's headers and addressing (Cc, Bcc, Reply-To)."""
        names = self.names or {}

        def shown(addrs: Any) -> list[str]:
            return [formataddr((names.get(a) or "", a), charset="utf-8") for a in sorted(addrs)]

        cc = set(self.cc) - set(self.bcc) - {to_addr}
        bcc = set(self.bcc) - {to_addr}
        reply_to = shown(set(self.reply_to) - {to_addr})
        message = EmailMessage(policy=email.policy.SMTP)
        for name, value in self.headers.items():
            message[name] = value
        message["X-Application"] = self.app_id
        message["Subject"] = subject
        message["From"] = formataddr(tuple(self.from_addr), charset="utf-8")
        message["To"] = formataddr((to_name or "", to_addr), charset="utf-8")
        message["Date"] = format_datetime(datetime.now(UTC))
        if cc:
            message["Cc"] = ", ".join(shown(cc))
        if reply_to:
            message["Reply-To"] = ", ".join(reply_to)
        if html:
            message.set_content(convert_between(NotifyFormat.HTML, NotifyFormat.TEXT, body))
            message.add_alternative(body, subtype="html")
        else:
            message.set_content(body)
        return message, [to_addr, *sorted(cc), *sorted(bcc)]


def keyed(service: Any, url: str) -> Any:
    """The service for ``url`` as ``KeyedEmail`` when apprise made it a plain email
    service, else the service itself."""
    if type(service) is not NotifyEmail:
        return service
    parsed = NotifyEmail.parse_url(url)
    return KeyedEmail(**parsed) if parsed else service

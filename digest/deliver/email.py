"""Mail a published edition: HTML + plain text, the PDF attached, exactly once per recipient.

``send_edition`` reads ``<output>/<date>/briefing.json`` and ``briefing.pdf``
(what ``digest run`` published), renders ``email.html`` and ``email.txt``
(overridable like every template), and sends one message per recipient over
SMTP -- implicit TLS (``ssl: true``), STARTTLS (``starttls: true``, the
default; refused if the server does not offer it) or plain (both false, for
a relay on localhost). Credentials come only from environment variables: the
ones named by ``smtp.user_env``/``smtp.password_env``, else
``DIGEST_SMTP_USER``/``DIGEST_SMTP_PASSWORD``. Certificates are verified against
the system CAs, plus the bundle named by ``DIGEST_SMTP_CA_FILE`` if set.

Transient failures (connection errors, 4xx replies) are retried with
exponential backoff; a 5xx reply fails that recipient at once. The store's
``deliveries`` ledger makes a second run (or a restart) skip every recipient
already sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

import nh3
from jinja2 import TemplateError

from digest.config import Config, EmailConfig, SmtpConfig
from digest.errors import DigestError
from digest.model import Briefing
from digest.render.edition_json import briefing_from_json
from digest.render.html import briefing_context, describe_template_error, make_environment
from digest.store import SQLStore

log = logging.getLogger("digest.email")
UTC = dt.timezone.utc
USER_ENV, PASSWORD_ENV = "DIGEST_SMTP_USER", "DIGEST_SMTP_PASSWORD"
CA_FILE_ENV = "DIGEST_SMTP_CA_FILE"  # extra CA bundle, for a relay with a private certificate
EMAIL_TAGS = {"a", "b", "br", "div", "em", "h1", "h2", "h3", "i", "li", "ol", "p", "span", "strong", "ul"}
EMAIL_STYLE = {"color", "font-family", "font-size", "font-style", "font-weight", "letter-spacing",
               "line-height", "margin", "max-width", "padding", "padding-left", "padding-top",
               "text-transform", "border-bottom", "border-top", "background-color"}


class EmailError(DigestError):
    """Email cannot be sent as configured (one line for the user)."""


@dataclass(frozen=True)
class SendReport:
    date: dt.date
    sent: tuple[str, ...]
    skipped: tuple[str, ...]  # already sent (or being sent by another process)
    failed: tuple[tuple[str, str], ...]  # (recipient, error)


class _Transient(Exception):
    """A failure worth retrying."""


def find_edition(output: Path, date: dt.date | None) -> tuple[dt.date, Path]:
    """The edition directory for ``date`` (default: the newest published)."""
    if date is None:
        dates = sorted(p.name for p in output.glob("????-??-??") if (p / "briefing.json").is_file())
        if not dates:
            raise EmailError(f"no published edition in {output}; run 'digest run' first")
        date = dt.date.fromisoformat(dates[-1])
    folder = output / date.isoformat()
    for name in ("briefing.json", "briefing.pdf"):
        if not (folder / name).is_file():
            raise EmailError(f"no edition for {date} in {output} ({name} missing); "
                             f"run 'digest run --date {date}' first")
    return date, folder


def render_bodies(briefing: Briefing, templates_dir: Path | None) -> tuple[str, str]:
    """(html, text) bodies; the HTML body passes through nh3 whatever the template did."""
    env = make_environment(templates_dir)
    context = briefing_context(briefing)
    try:
        html = env.get_template("email.html").render(context)
        text = env.get_template("email.txt").render(context)
    except TemplateError as exc:
        raise EmailError(f"cannot render the email: {describe_template_error(exc)}") from exc
    clean = nh3.clean(html, tags=EMAIL_TAGS, attributes={"*": {"style"}, "a": {"href"}},
                      url_schemes={"http", "https", "mailto"}, filter_style_properties=EMAIL_STYLE,
                      link_rel="noopener noreferrer")
    title = nh3.clean_text(f"{briefing.title} — {briefing.date.isoformat()}")
    document = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
                f'</head><body>\n{clean}\n</body></html>\n')
    return document, text


def message_id(date: dt.date, recipient: str, sender: str) -> str:
    """The same Message-ID for the same edition and recipient, on every attempt."""
    digest = hashlib.sha256(f"{date.isoformat()}|{recipient.lower()}".encode()).hexdigest()[:16]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "digest.invalid"
    return f"<digest.{date.isoformat()}.{digest}@{domain}>"


def build_message(briefing: Briefing, html: str, text: str, pdf: bytes, cfg: EmailConfig,
                  recipient: str, now: dt.datetime) -> EmailMessage:
    msg = EmailMessage()
    subject = cfg.subject.format(title=briefing.title, date=briefing.date.isoformat(), number=briefing.number)
    msg["Subject"] = " ".join(subject.split())
    msg["From"] = cfg.sender
    msg["To"] = recipient
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(briefing.date, recipient, cfg.sender)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(pdf, maintype="application", subtype="pdf",
                       filename=f"briefing-{briefing.date.isoformat()}.pdf")
    return msg


def _credentials(smtp: SmtpConfig) -> tuple[str, str] | None:
    user = os.environ.get(smtp.user_env or USER_ENV)
    password = os.environ.get(smtp.password_env or PASSWORD_ENV)
    if bool(user) != bool(password):
        raise EmailError(f"set both {smtp.user_env or USER_ENV} and {smtp.password_env or PASSWORD_ENV} "
                         "(or neither, for a server without login)")
    return (user, password) if user and password else None


def _session(client: smtplib.SMTP, smtp: SmtpConfig, msg: EmailMessage, context: ssl.SSLContext) -> None:
    client.ehlo()
    if smtp.starttls and not smtp.ssl:
        if not client.has_extn("starttls"):
            raise EmailError(f"{smtp.host}:{smtp.port} does not offer STARTTLS; refusing to send "
                             "in clear (set smtp.ssl: true, or starttls: false for a local relay)")
        client.starttls(context=context)
        client.ehlo()
    credentials = _credentials(smtp)
    if credentials:
        client.login(*credentials)
    client.send_message(msg)
    client.quit()


def _deliver_once(smtp: SmtpConfig, msg: EmailMessage, timeout: float) -> None:
    """One SMTP session sending ``msg``; raises _Transient for retryable failures."""
    context = ssl.create_default_context()
    if os.environ.get(CA_FILE_ENV):
        context.load_verify_locations(cafile=os.environ[CA_FILE_ENV])
    try:
        if smtp.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        try:
            _session(client, smtp, msg, context)
        finally:
            client.close()  # no QUIT after a failure: a broken TLS handshake would make it hang
    except smtplib.SMTPAuthenticationError as exc:
        raise EmailError(f"{smtp.host} refused the login ({exc.smtp_code}); check the user and password in "
                         f"{smtp.user_env or USER_ENV}/{smtp.password_env or PASSWORD_ENV}") from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise _Transient(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise EmailError(f"the SMTP server refused the message: {exc.smtp_code} "
                         f"{exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
                         ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise EmailError(f"{smtp.host}:{smtp.port}: {exc} (credentials are set in the environment but "
                         "the server offers no login here)") from exc
    except ssl.SSLError as exc:  # a bad certificate will not get better by retrying
        raise EmailError(f"TLS with {smtp.host}:{smtp.port} failed: {exc}; check the host name, or set "
                         f"{CA_FILE_ENV} to the CA bundle of a private relay") from exc
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        raise _Transient(f"{type(exc).__name__}: {exc}") from exc


def _send_with_retries(smtp: SmtpConfig, msg: EmailMessage, record: Callable[[str | None], None], *,
                       attempts: int, backoff: float, sleep: Callable[[float], None], timeout: float) -> None:
    for attempt in range(1, attempts + 1):
        try:
            _deliver_once(smtp, msg, timeout)
            record(None)
            return
        except _Transient as exc:
            record(str(exc))
            if attempt == attempts:
                raise EmailError(f"could not reach {smtp.host}:{smtp.port} after {attempts} attempts: {exc}") \
                    from exc
            delay = backoff * 2 ** (attempt - 1)
            log.warning("send to %s failed (%s); retrying in %.1fs", msg["To"], exc, delay)
            sleep(delay)


def send_edition(config: Config, store: SQLStore, date: dt.date | None = None, *, now: dt.datetime | None = None,
                 attempts: int = 4, backoff: float = 2.0, sleep: Callable[[float], None] | None = None,
                 timeout: float = 30.0) -> SendReport:
    """Send the edition for ``date`` (default newest) to every configured recipient not yet sent."""
    if config.email is None:
        raise EmailError(f"{config.path.name}: no email: block; add one with to:, from: and smtp: host")
    day, folder = find_edition(config.output, date)
    try:
        briefing = briefing_from_json(json.loads((folder / "briefing.json").read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise EmailError(f"{folder / 'briefing.json'} is not a readable edition ({exc}); rebuild it") from None
    pdf = (folder / "briefing.pdf").read_bytes()
    html, text = render_bodies(briefing, config.templates)
    sent, skipped, failed = [], [], []
    for recipient in config.email.to:
        when = now or dt.datetime.now(UTC)
        mid = message_id(day, recipient, config.email.sender)
        if not store.claim_delivery(day, recipient, mid, when):
            skipped.append(recipient)
            continue
        msg = build_message(briefing, html, text, pdf, config.email, recipient, when)

        def record(error: str | None, recipient: str = recipient) -> None:
            store.record_attempt(day, recipient, now or dt.datetime.now(UTC), error)

        try:
            _send_with_retries(config.email.smtp, msg, record, attempts=attempts, backoff=backoff,
                               sleep=sleep or time.sleep, timeout=timeout)
        except EmailError as exc:
            store.finish_delivery(day, recipient, now or dt.datetime.now(UTC), str(exc))
            failed.append((recipient, str(exc)))
            continue
        store.finish_delivery(day, recipient, now or dt.datetime.now(UTC))
        sent.append(recipient)
    return SendReport(day, tuple(sent), tuple(skipped), tuple(failed))


__all__ = ["EmailError", "SendReport", "build_message", "find_edition", "message_id", "render_bodies",
           "send_edition"]

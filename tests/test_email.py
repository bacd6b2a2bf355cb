"""``digest send`` against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from test_render import make_briefing

from digest.cli import main
from digest.config import load_config
from digest.deliver.email import EmailError, send_edition
from digest.render import publish_edition
from digest.store import open_store

UTC = dt.timezone.utc
DAY = dt.date(2023, 9, 15)


class Inbox:
    """An aiosmtpd handler that keeps every message and can answer 451 a few times first."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse_first
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd naming
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 try again later"
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    def start(refuse_first: int = 0):
        inbox = Inbox(refuse_first)
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
        controller.start()
        started.append(controller)
        return inbox, controller.port
    started: list[Controller] = []
    yield start
    for controller in started:
        controller.stop()


def _setup(tmp_path: Path, port: int, starttls: str = "false") -> Path:
    publish_edition(tmp_path / "out", make_briefing())
    config = tmp_path / "feeds.yaml"
    config.write_text(f"""output: out
email:
  to: [ana@example.org, bo@example.org]
  from: Digest <digest@example.org>
  smtp: {{host: 127.0.0.1, port: {port}, starttls: {starttls}}}
""")
    return config


def test_send_multipart_with_pdf_once_per_recipient(tmp_path: Path, smtp, monkeypatch) -> None:
    monkeypatch.delenv("DIGEST_SMTP_USER", raising=False)
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)
    inbox, port = smtp()
    config = _setup(tmp_path, port)
    result = CliRunner().invoke(main, ["send", "--config", str(config), "--date", "2023-09-15"])
    assert result.exit_code == 0, result.output
    assert sorted(rcpts[0] for _, rcpts, _ in inbox.messages) == ["ana@example.org", "bo@example.org"]
    pdf = (tmp_path / "out" / "2023-09-15" / "briefing.pdf").read_bytes()
    for _, _, raw in inbox.messages:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["Subject"] == "Morning Briefing — 2023-09-15"
        assert msg["Message-ID"].startswith("<digest.2023-09-15.")
        html = msg.get_body(("html",)).get_content()
        text = msg.get_body(("plain",)).get_content()
        assert "Port strike enters second week" in html and "Port strike enters second week" in text
        assert "<script" not in html.lower() and "&lt;script&gt;" in html  # hostile title stays inert
        assert "javascript:" not in html
        attachments = list(msg.iter_attachments())
        assert len(attachments) == 1 and attachments[0].get_content_type() == "application/pdf"
        assert attachments[0].get_content() == pdf
    # a second run (or a restart) sends nothing more
    again = CliRunner().invoke(main, ["send", "--config", str(config)])
    assert again.exit_code == 0, again.output
    assert len(inbox.messages) == 2
    with open_store(load_config(config).storage) as store:
        assert [d.status for d in store.deliveries(DAY)] == ["sent", "sent"]
        runs = store.runs("deliver")  # both sends are in the run log that `digest status` reads
        assert [(r.name, r.status) for r in runs] == [("email", "ok"), ("email", "ok")]
        assert [r.details()["sent"] for r in runs] == [0, 2]  # newest first


def test_retries_with_backoff_then_sends_once(tmp_path: Path, smtp) -> None:
    inbox, port = smtp(refuse_first=2)
    config = load_config(_setup(tmp_path, port))
    delays: list[float] = []
    with open_store(config.storage) as store:
        report = send_edition(config, store, DAY, backoff=0.5, sleep=delays.append)
        assert report.sent == ("ana@example.org", "bo@example.org") and not report.failed
        assert delays == [0.5, 1.0]  # two 451s for the first recipient, exponential backoff
        assert store.delivery(DAY, "ana@example.org").attempts == 3
        assert send_edition(config, store, DAY, sleep=delays.append).skipped == report.sent
    assert len(inbox.messages) == 2


def test_unreachable_server_fails_cleanly_and_is_retried_later(tmp_path: Path, smtp, monkeypatch) -> None:
    config = load_config(_setup(tmp_path, _free_port()))
    with open_store(config.storage) as store:
        report = send_edition(config, store, DAY, attempts=2, backoff=0, sleep=lambda s: None, timeout=2)
        assert not report.sent and len(report.failed) == 2
        assert "after 2 attempts" in report.failed[0][1]
        assert store.delivery(DAY, "ana@example.org").status == "failed"
    slept: list[float] = []
    monkeypatch.setattr("digest.deliver.email.time.sleep", slept.append)
    result = CliRunner().invoke(main, ["send", "--config", str(tmp_path / "feeds.yaml")])
    assert slept == [2.0, 4.0, 8.0] * 2  # the CLI retries each failed recipient with backoff
    assert result.exit_code == 1 and "run 'digest send' again" in result.output


def test_starttls_required_when_configured(tmp_path: Path, smtp) -> None:
    inbox, port = smtp()
    config = load_config(_setup(tmp_path, port, starttls="true"))
    with open_store(config.storage) as store:
        report = send_edition(config, store, DAY, attempts=1)
    assert not report.sent and "does not offer STARTTLS" in report.failed[0][1]
    assert inbox.messages == []


def test_missing_edition_or_block_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("output: out\n")
    result = CliRunner().invoke(main, ["send", "--config", str(config)])
    assert result.exit_code == 1 and "no email: block" in result.output
    config.write_text("output: out\nemail: {to: [a@example.org], from: d@example.org, smtp: {host: h}}\n")
    result = CliRunner().invoke(main, ["send", "--config", str(config), "--date", "2023-09-15"])
    assert result.exit_code == 1 and "no edition for 2023-09-15" in result.output
    with pytest.raises(EmailError):
        raise EmailError("x")


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl CLI)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")
@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_and_login_from_environment(tmp_path: Path, monkeypatch, mode: str) -> None:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[str, str]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        login, password = (v.decode() if isinstance(v, bytes) else v for v in auth_data)
        logins.append((login, password))
        return AuthResult(success=password == "s3cret", handled=False)

    inbox, port = Inbox(), _free_port()
    options = ({"tls_context": context, "require_starttls": True, "auth_require_tls": True}
               if mode == "starttls" else {"ssl_context": context, "auth_require_tls": False})  # implicit TLS
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator, **options)
    controller.start()
    try:
        publish_edition(tmp_path / "out", make_briefing())
        security = "starttls: true" if mode == "starttls" else "ssl: true, starttls: false"
        (tmp_path / "feeds.yaml").write_text(
            f"output: out\nemail:\n  to: [ana@example.org]\n  from: digest@example.org\n"
            f"  smtp: {{host: 127.0.0.1, port: {port}, {security}}}\n")
        config = load_config(tmp_path / "feeds.yaml")
        monkeypatch.setenv("DIGEST_SMTP_USER", "digest")
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "wrong")
        with open_store(config.storage) as store:
            # an untrusted certificate is refused, once, without retrying
            report = send_edition(config, store, DAY, sleep=pytest.fail)
            assert "TLS with 127.0.0.1" in report.failed[0][1] and not logins
            monkeypatch.setenv("DIGEST_SMTP_CA_FILE", str(cert))
            report = send_edition(config, store, DAY, sleep=pytest.fail)
            assert "refused the login" in report.failed[0][1] and inbox.messages == []
            monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "s3cret")
            report = send_edition(config, store, DAY)
            assert report.sent == ("ana@example.org",)
        assert logins[-1] == ("digest", "s3cret") and len(inbox.messages) == 1
    finally:
        controller.stop()

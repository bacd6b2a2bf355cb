"""The poller over real TLS: a local HTTPS server with a certificate from a trustme CA that
digest is told to trust through ``$SSL_CERT_FILE``, and a self-signed server it must refuse.

Covers a stored feed, conditional GET (ETag -> 304), a 301, gzip, connection reuse and the
per-host limit on https, the full-text page fetch over https, and an untrusted certificate
failing its own feed with a one-line error while the others succeed.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from digest.config import load_config
from digest.errors import ConfigError
from digest.fetch.tls import ssl_context
from digest.polling import poll_all
from digest.store import open_store
from httpserver import LocalServer

import feedserver as fs

UTC = dt.timezone.utc
NOW = dt.datetime(2019, 11, 21, 7, tzinfo=UTC)
LONG_TEXT = " ".join(["Residents said the river rose quickly overnight and crews worked until dawn."] * 20)
RSS = {"Content-Type": "application/rss+xml"}


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trusted(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """digest trusts the test CA (and only it) through $SSL_CERT_FILE, as a user behind a proxy CA would."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return bundle


@pytest.fixture
def https(ca: trustme.CA) -> Iterator[LocalServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with LocalServer(tls=context) as srv:
        yield srv


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[LocalServer]:
    """An HTTPS server whose certificate signs itself (no CA digest trusts)."""
    cert, key = _self_signed_pem(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with LocalServer(tls=context) as srv:
        yield srv


def _self_signed_pem(folder: Path) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "self.pem", folder / "self.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _config(write_config, tmp_path: Path, feeds: dict[str, str], poll: str = "timeout: 5s"):
    lines = "".join(f"  - name: {name}\n    url: {url}\n" for name, url in feeds.items())
    return load_config(write_config(f"briefing: {{timezone: UTC}}\npoll: {{{poll}}}\nstorage: "
                                    f"sqlite:///{tmp_path / 'poll.db'}\nfeeds:\n{lines}"))


def _poll(config, now=NOW):
    with open_store(config.storage) as store:
        reports = {r.name: r for r in poll_all(config, store, now)}
        states = {s.name: s for s in store.feed_states()}
        texts = [a.text for a in store.articles_published_between(NOW - dt.timedelta(days=3650), now)]
    return reports, states, texts


def test_https_feed_is_stored_then_304_and_a_301_and_gzip(https, trusted, write_config, tmp_path) -> None:
    https.route("/feed.xml", handler=fs.conditional(fs.rss(3, text=LONG_TEXT)))
    https.route("/old.xml", status=301, headers={"Location": "/new.xml"})
    https.route("/new.xml", fs.rss(1, prefix="n", text=LONG_TEXT), headers=RSS)
    https.route("/gzip.xml", handler=fs.gzipped(fs.rss(2, prefix="z", text=LONG_TEXT)))
    feeds = {"Wire": https.url("/feed.xml"), "Moved": https.url("/old.xml"), "Zipped": https.url("/gzip.xml")}
    assert all(url.startswith("https://127.0.0.1:") for url in feeds.values())
    config = _config(write_config, tmp_path, feeds, "every: 1m, timeout: 5s")
    reports, states, texts = _poll(config)
    assert {n: (r.status, r.added) for n, r in reports.items()} == {"Wire": ("ok", 3), "Moved": ("ok", 1),
                                                                    "Zipped": ("ok", 2)}
    assert len(texts) == 6 and all("river rose quickly" in t for t in texts)
    assert states["Wire"].etag == '"v1"' and states["Moved"].moved_to == https.url("/new.xml")
    reports, states, texts = _poll(config, NOW + dt.timedelta(minutes=5))
    assert https.hits("/feed.xml")[1].headers["if-none-match"] == '"v1"'
    assert reports["Wire"].note == "not modified (304)" and reports["Wire"].added == 0 and len(texts) == 6
    assert len(https.hits("/old.xml")) == 1 and len(https.hits("/new.xml")) == 2  # the move was remembered


def test_untrusted_certificate_fails_its_feed_alone_with_one_line(https, self_signed, trusted, write_config,
                                                                  tmp_path) -> None:
    https.route("/feed.xml", fs.rss(2, text=LONG_TEXT), headers=RSS)
    self_signed.route("/feed.xml", fs.rss(2, prefix="x", text=LONG_TEXT), headers=RSS)
    config = _config(write_config, tmp_path, {"Good": https.url("/feed.xml"),
                                              "Forged": self_signed.url("/feed.xml")})
    reports, states, texts = _poll(config)
    assert reports["Good"].status == "ok" and reports["Good"].added == 2 and len(texts) == 2
    error = states["Forged"].error or ""
    assert reports["Forged"].status == "failing" and states["Forged"].status == "failing"
    assert error.startswith("TLS certificate not trusted: self-signed certificate;"), error
    assert "SSL_CERT_FILE" in error and "\n" not in error
    assert self_signed.hits("/feed.xml") == []  # the request was never sent


def test_without_the_ca_the_test_certificate_is_refused_too(https, write_config, tmp_path,
                                                            monkeypatch) -> None:
    """Trust comes from $SSL_CERT_FILE alone: certifi's bundle does not know the test CA."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    https.route("/feed.xml", fs.rss(1, text=LONG_TEXT), headers=RSS)
    reports, states, _ = _poll(_config(write_config, tmp_path, {"Wire": https.url("/feed.xml")}))
    assert reports["Wire"].status == "failing"
    assert states["Wire"].error.startswith("TLS certificate not trusted: unable to get local issuer certificate")


def test_full_text_pages_over_https(https, trusted, write_config, tmp_path) -> None:
    https.route("/summaries.xml", fs.rss(2, prefix="p", text="One line only.", link_base=https.url("/a/")),
                headers=RSS)
    for n in range(2):
        https.route(f"/a/p-{n}", f"<html><body><article><p>{LONG_TEXT}</p></article></body></html>",
                    headers={"Content-Type": "text/html; charset=utf-8"})
    config = _config(write_config, tmp_path, {"S": https.url("/summaries.xml")},
                     "timeout: 5s, allow_private: [127.0.0.1]")
    reports, _, texts = _poll(config)
    assert reports["S"].status == "ok" and len(texts) == 2
    assert len(https.hits("/a/p-0")) == 1 and len(https.hits("/a/p-1")) == 1
    assert all("river rose quickly" in t for t in texts)  # the pages' text, not the one-line summaries


def test_https_keeps_the_per_host_limit_and_reuses_connections(https, trusted, write_config, tmp_path) -> None:
    slow, peak = fs.slow_counted(0.2, fs.status(200, RSS, fs.rss(1, text=LONG_TEXT)))

    for n in range(6):
        https.route(f"/slow{n}.xml", handler=slow)
    config = _config(write_config, tmp_path, {f"s{n}": https.url(f"/slow{n}.xml") for n in range(6)},
                     "timeout: 2s, per_host: 2")
    reports, _, _ = _poll(config)
    assert {r.status for r in reports.values()} == {"ok"}
    assert peak[0] == 2  # never more than two requests at once to one host
    assert https.connections == 2  # six requests over two kept-alive TLS connections


def test_a_missing_ca_bundle_is_one_clear_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"^\$SSL_CERT_FILE=.*nope.pem: no such file; point it at your CA "
                                          r"bundle or unset it$"):
        ssl_context({"SSL_CERT_FILE": str(tmp_path / "nope.pem")})
    (tmp_path / "junk.pem").write_text("not a certificate", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"junk.pem: not a usable CA bundle"):
        ssl_context({"SSL_CERT_FILE": str(tmp_path / "junk.pem")})
    assert ssl_context({}).verify_mode == ssl.CERT_REQUIRED


def test_feed_discovery_uses_the_same_trust(https, self_signed, trusted) -> None:
    """`digest feeds add` (httpx) trusts what polling trusts and says the same when it does not."""
    from digest.fetch.discover import DiscoveryError, discover

    https.route("/feed.xml", fs.rss(2, title="Secure Wire"), headers=RSS)
    found = discover(https.url("/feed.xml"), timeout_s=5)
    assert found.title == "Secure Wire" and found.entries == 2
    self_signed.route("/feed.xml", fs.rss(1), headers=RSS)
    with pytest.raises(DiscoveryError, match=r"^https://127\.0\.0\.1:\d+/feed\.xml: TLS certificate not trusted: "
                                             r"self-signed certificate;"):
        discover(self_signed.url("/feed.xml"), timeout_s=5)

"""`digest serve` as a real process against a local HTTP feed server: polls, editions on
disk, delivery steps once per edition, a SIGKILL mid-edition, two servers at once, status."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from digest.store import open_store
from digest.store.locks import hold_lease
from feedserver import rss_channel, rss_item

TESTS = Path(__file__).parent
SEEDS = TESTS.parent / "digest" / "sample" / "seeds"
UTC = dt.timezone.utc
ONE_SLOT = 86400  # slots at 00:00 UTC: within a test, only the catch-up slot of today


def _rss(server) -> bytes:
    """The sample seed articles as one RSS feed, published an hour ago, full text inline."""
    published = format_datetime(dt.datetime.now(UTC) - dt.timedelta(hours=1))
    items = []
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        html = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n") if p.strip())
        items.append(rss_item(title, server.url(f"/articles/{i}"), published, html))
    return rss_channel("Loopback Wire", server.url("/"), items, "seeds")


@pytest.fixture
def site(server, tmp_path: Path) -> Path:
    server.route("/feed.xml", _rss(server), headers={"Content-Type": "application/rss+xml"})
    server.route("/broken.xml", "oops", status=500)
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "briefing: {title: Serve Test, timezone: Europe/London, window: 24h}\n"
        "poll: {every: 1s, timeout: 5s, allow_private: [127.0.0.1]}\n"
        f"feeds:\n  - name: Loopback Wire\n    url: {server.url('/feed.xml')}\n"
        f"  - name: Broken Feed\n    url: {server.url('/broken.xml')}\n", encoding="utf-8")
    return config


class Serve:
    """One `digest serve` subprocess with its log in a file."""

    def __init__(self, config: Path, seconds: int, name: str = "serve", smtp_port: int | None = None) -> None:
        if smtp_port and "email:" not in config.read_text(encoding="utf-8"):  # the real email step
            with open(config, "a", encoding="utf-8") as handle:
                handle.write("email: {to: [reader@127.0.0.1], from: digest@127.0.0.1,\n"
                             f"        smtp: {{host: 127.0.0.1, port: {smtp_port}, starttls: false}}}}\n")
        self.log = config.parent / f"{name}.log"
        env = {**os.environ, "DIGEST_SCHEDULE_SECONDS": str(seconds), "PYTHONPATH": str(TESTS),
               "DIGEST_DELIVERY_HOOKS": "serve_hooks:record",
               "DIGEST_TEST_HOOK_LOG": str(config.parent / "delivered.txt"),
               "DIGEST_TEST_SMTP_PORT": str(smtp_port or "")}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--config", str(config)],
                                         stdout=log, stderr=log, env=env, cwd=config.parent)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def serves() -> Iterator[list[Serve]]:
    started: list[Serve] = []
    yield started
    for serve in started:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()


@pytest.fixture
def smtp() -> Iterator[tuple[int, list]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; yields its port and the messages it received."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd naming
            received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def wait_for(check: Callable[[], object], timeout: float = 90, what: object = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := check()):
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what or check}")


def runs(db: Path, kind: str, name: str | None = None) -> list[tuple]:
    if not db.exists():
        return []
    with sqlite3.connect(db, timeout=10) as conn:
        try:
            return conn.execute("SELECT status, slot, edition_date, trigger, started FROM runs WHERE kind = ? "
                                "AND (? IS NULL OR name = ?) ORDER BY id", (kind, name, name)).fetchall()
        except sqlite3.OperationalError:
            return []


def delivered(config: Path) -> list[str]:
    path = config.parent / "delivered.txt"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def digest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True, timeout=60)


def test_serve_polls_builds_delivers_and_stops_cleanly(site: Path, server, serves) -> None:
    db, out = site.parent / "output" / "digest.db", site.parent / "output"
    serve = Serve(site, seconds=3)
    serves.append(serve)
    wait_for(lambda: len([r for r in runs(db, "edition") if r[0] == "ok"]) >= 2,
             what=lambda: f"two editions; log:\n{serve.text()}")
    wait_for(lambda: len(server.hits("/feed.xml")) >= 2, what="a second poll")
    assert serve.stop(signal.SIGTERM) == 0
    log = serve.text()
    assert "SIGTERM: finishing the current step" in log and "stopped" in log and "Traceback" not in log, log
    assert "poll: " in log and "failing: Broken Feed" in log

    editions = runs(db, "edition")
    ok = [r for r in editions if r[0] == "ok"]
    # the catch-up on start-up and the scheduled slots (which of them builds first depends on load)
    assert "schedule" in {r[3] for r in ok} and {r[3] for r in ok} <= {"catch-up", "schedule"}, log
    assert len({r[1] for r in ok}) == len(ok)  # one build per slot
    assert all(r[0] in ("ok", "interrupted") for r in editions)
    deliveries = [r for r in runs(db, "deliver", "record") if r[0] == "ok"]
    slots = [r[1] for r in deliveries]
    assert len(set(slots)) == len(slots) and {r[1] for r in ok} <= set(slots)  # the hook ran once per slot
    # ... and each slot it ran for had its edition built after the slot began (a late build can serve two)
    assert all(any(e[4] >= slot for e in ok) for slot in slots)
    assert len(delivered(site)) == len(deliveries)
    assert all(line.endswith(" True") for line in delivered(site))  # after the PDF was published

    day = ok[-1][2]
    edition = json.loads((out / day / "briefing.json").read_text(encoding="utf-8"))
    assert len(edition["sources"]) == 5 and edition["events"]
    assert (out / day / "briefing.pdf").read_bytes()[:5] == b"%PDF-"
    assert not list(out.glob(".*.tmp-*"))

    status = digest("status", "--config", str(site), "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    # SIGTERM may land in the middle of a poll or an edition (then the last run of that kind
    # reads "interrupted"); everything that finished before it must read "ok"
    assert report["last"]["poll"]["status"] in ("ok", "interrupted")
    assert report["last"]["edition"]["status"] in ("ok", "interrupted")
    for step in ("record", "site", "email"):
        assert report["last"][f"deliver {step}"]["status"] in ("ok", "interrupted"), report["last"]
    assert {r[0] for r in runs(db, "poll")} <= {"ok", "interrupted", "skipped"}
    site_index = out / "site" / "index.html"  # the static site was updated by the edition job
    assert site_index.is_file() and day in site_index.read_text(encoding="utf-8")
    assert [f["name"] for f in report["failing_feeds"]] == ["Broken Feed"]
    assert "500" in report["failing_feeds"][0]["error"]
    assert report["next"]["poll"] and report["next"]["edition"] and report["servers"] == []
    human = digest("status", "--config", str(site))
    assert human.returncode == 0 and "Broken Feed" in human.stdout and "not running" in human.stdout


def test_start_up_runs_exactly_one_poll(site: Path, server, serves) -> None:
    """The catch-up edition (which polls first) and the first poll tick start together: one of
    them polls, the other finds the feeds fresh; nothing reports its own process as "another poll"."""
    db = site.parent / "output" / "digest.db"
    serve = Serve(site, seconds=ONE_SLOT)  # one slot: the catch-up build on start-up
    serves.append(serve)
    wait_for(lambda: delivered(site), what=lambda: f"the catch-up edition delivered; log:\n{serve.text()}")
    wait_for(lambda: len(server.hits("/feed.xml")) >= 3, what="two scheduled polls after the start-up one")
    assert serve.stop(signal.SIGTERM) == 0
    log = serve.text()
    assert "poll skipped" not in log and "another poll is running" not in log, log
    assert "Traceback" not in log, log
    fetched = [int(n) for n in re.findall(r"poll: (\d+) of 2 feeds fetched", log)]
    assert fetched and all(n >= 1 for n in fetched), log  # no poll ran that found nothing to fetch
    polls = runs(db, "poll")
    assert len(polls) == len(fetched) + (polls[-1][0] == "interrupted"), (polls, log)
    assert {r[0] for r in polls} <= {"ok", "interrupted"}, polls


def test_sigkill_mid_edition_then_two_restarts_complete_it_once(site: Path, serves, smtp) -> None:
    """kill -9 while the PDF is being written; then two servers start at once: one of them
    completes the edition, the other finds it built; one email; the store is intact."""
    port, mailbox = smtp
    out = site.parent / "output"
    db = out / "digest.db"
    first = Serve(site, seconds=ONE_SLOT, smtp_port=port)  # one slot: the catch-up build on start-up
    serves.append(first)
    staged = wait_for(lambda: list(out.glob(".*.tmp-*")), what="an edition being written")
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(10)
    day = Path(staged[0]).name[1:].split(".tmp-")[0]
    assert not (out / day).exists()  # nothing half-written was published
    assert [r[0] for r in runs(db, "edition")] == ["running"] and delivered(site) == []

    pair = [Serve(site, seconds=ONE_SLOT, name=n, smtp_port=port) for n in ("a", "b")]
    serves.extend(pair)
    wait_for(lambda: mailbox, what="the edition mailed after the restart")
    wait_for(lambda: any("nothing to catch up" in s.text() or "not built here" in s.text() for s in pair),
             what="the other server to find the edition built")
    assert [s.stop(signal.SIGINT) for s in pair] == [0, 0]
    assert "interrupted; catching up" in pair[0].text() + pair[1].text()
    assert [r[0] for r in runs(db, "edition")] == ["interrupted", "ok"]
    assert len(delivered(site)) == 1 and [r[0] for r in runs(db, "deliver")] == ["ok", "ok", "ok"]
    assert len(mailbox) == 1 and day in mailbox[0]["Subject"] and "Serve Test" in mailbox[0]["Subject"]
    attachment = next(p for p in mailbox[0].walk() if p.get_content_type() == "application/pdf")
    assert attachment.get_payload(decode=True) == (out / day / "briefing.pdf").read_bytes()
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [day, "site"]  # the edition, the site
    assert (out / "site" / "index.html").is_file()
    assert sorted(p.name for p in (out / day).iterdir()) == ["briefing.html", "briefing.json", "briefing.pdf"]
    assert not list(out.glob(".*.tmp-*"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM locks WHERE name LIKE 'edition:%'").fetchone() == (0,)


def test_run_refuses_while_another_process_builds_the_edition(site: Path) -> None:
    out = site.parent / "output"
    with open_store(f"sqlite:///{out / 'digest.db'}") as store:
        today = dt.datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).date()
        with hold_lease(store, f"edition:{today}"):
            result = digest("run", "--config", str(site), "--quiet")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"digest: error: building the edition for {today} is in progress in another digest process")
    assert not (out / today.isoformat()).exists()


def test_status_without_a_database_says_so_and_creates_nothing(site: Path) -> None:
    result = digest("status", "--config", str(site))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"digest: error: no database yet at sqlite:///{site.parent / 'output' / 'digest.db'};"
                                     " run `digest run` or `digest serve` first")
    assert not (site.parent / "output").exists()


def test_delivery_steps_run_once_per_slot_in_process(write_config, tmp_path: Path, monkeypatch) -> None:
    """The hook list the lead wires (site build, email) runs once per slot, after publication;
    a failed step is retried later by a one-off job, and succeeds once."""
    import threading

    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from digest import serve as serve_module
    from digest.config import load_config
    from digest.store.locks import Stopping
    from digest.timing import Schedule

    config_path = write_config(f"briefing: {{timezone: UTC}}\nfeeds:\n  - name: Seeds\n    path: {SEEDS}\n")
    config = load_config(config_path)
    calls: list[tuple] = []

    def email(config, store, date, now):
        calls.append((date, (config.output / date.isoformat() / "briefing.pdf").is_file()))
        if len(calls) == 1:
            raise ConnectionError("SMTP server not answering")
        return {"sent": 1}

    slot = dt.datetime(2031, 3, 4, 7, tzinfo=UTC)  # not today: everything runs on the injected clock
    clock = lambda: slot + dt.timedelta(minutes=3)  # noqa: E731 - an injected clock
    scheduler = BackgroundScheduler(jobstores={"startup": MemoryJobStore()})  # never started: jobs stay pending
    monkeypatch.setattr(serve_module, "DELIVERY_STEPS", [email])
    monkeypatch.setattr(serve_module, "_clock", clock)
    monkeypatch.setattr(serve_module, "_SCHEDULER", scheduler)
    schedule, stop = Schedule("UTC", "0 7 * * *"), threading.Event()
    with open_store(config.storage) as store:
        stop.set()  # asked to stop before the build: nothing is built or published
        with pytest.raises(Stopping):
            serve_module.run_slot(config, store, schedule, slot, trigger="schedule", stop=stop, clock=clock)
        assert not (config.output / "2031-03-04").exists() and calls == []

        serve_module.edition_job(str(config_path))  # builds, the email step fails: a retry is planned
        assert calls == [(dt.date(2031, 3, 4), True)]
        retry = scheduler.get_job("edition-retry")
        assert retry.args == (str(config_path), "retry") and retry.trigger.run_date == clock() + serve_module.RETRY_DELAY
        serve_module.edition_job(*retry.args)  # the retry: no rebuild, the email goes out
        serve_module.edition_job(str(config_path))  # the slot is done: nothing more
        assert serve_module.run_slot(config, store, schedule, slot, trigger="schedule", stop=stop,
                                     clock=clock) == "delivered"
        assert len(calls) == 2
        assert [r.status for r in store.runs("edition")] == ["ok"]
        assert [r.status for r in store.runs("deliver")] == ["ok", "failed"]
        assert store.runs("deliver")[0].details() == {"sent": 1}
        assert [r.status for r in store.runs("poll")][-1] == "interrupted"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from pg import postgres_url

    with postgres_url() as url:
        yield url


def test_serve_on_postgresql(site: Path, pg_url: str, serves) -> None:
    """The job store, the leases and the run log in PostgreSQL instead of SQLite."""
    site.write_text(site.read_text(encoding="utf-8") + f"storage: {pg_url}\n", encoding="utf-8")
    serve = Serve(site, seconds=ONE_SLOT)
    serves.append(serve)
    wait_for(lambda: delivered(site), what="one delivery")
    assert serve.stop() == 0
    report = json.loads(digest("status", "--config", str(site), "--json").stdout)
    assert report["last"]["edition"]["status"] == "ok" and report["next"]["edition"]
    assert [f["name"] for f in report["failing_feeds"]] == ["Broken Feed"]
    with open_store(pg_url) as store:
        assert [r.status for r in store.runs("edition")] == ["ok"]
        assert [r.status for r in store.runs("deliver")] == ["ok", "ok", "ok"]  # site, email (none set), record
        with store.engine.connect() as conn:
            assert {row[0] for row in conn.exec_driver_sql("SELECT id FROM apscheduler_jobs")} == {"poll", "edition"}
    assert len(delivered(site)) == 1
    assert not (site.parent / "output" / "digest.db").exists()

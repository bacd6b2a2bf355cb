"""Polling benchmark: N feeds x 50 entries (~75 KB each) from one local server process.

    .venv/bin/pip install reader sgmllib3k      # the peer, for the bench only
    .venv/bin/python bench/poll.py [--feeds 1000] [--runs digest,reader,digest-fail]

Runs, each in its own process so peak RSS is its own:
  digest  first pass (every feed new) and second pass (every feed answers 304);
  reader  (lemon24/reader) the same two passes with update_feeds(scheduled=False);
  digest  first pass again with ``--fail-pct`` % of feeds failing in assorted
          ways (500, 404, reset, garbage, stall past the timeout).
The server is a small asyncio HTTP/1.1 server (keep-alive, ETag/304) in a
separate process, listening on several loopback addresses (127.0.0.1-127.0.0.H)
so that digest's default per-host limit of 2 applies as it would across real
publishers. Figures go to bench/results/poll.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "poll.txt"
ENTRIES = 50
WORDS = ("government minister council river storm market election court police hospital school report "
         "officials said warned announced residents workers company shares prices energy water city "
         "national regional international talks agreement budget tax health climate season team match "
         "police investigation witnesses evidence statement spokesperson according sources early late "
         "morning evening week month year record highest lowest increase decrease plan proposal vote").split()


# -- the feeds -----------------------------------------------------------------

def feed_body(n: int) -> bytes:
    rng = random.Random(n)
    items = []
    for i in range(ENTRIES):
        words = " ".join(rng.choice(WORDS) for _ in range(163))
        day, hour = 1 + (i // 24) % 27, i % 24
        items.append(
            f"<item><title>Feed {n} story {i}: {' '.join(rng.choice(WORDS) for _ in range(8))}</title>"
            f"<link>https://news{n % 97}.example.com/f{n}/story-{i}.html</link>"
            f"<guid isPermaLink='false'>feed{n}-story{i}</guid>"
            f"<pubDate>{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day % 7]}, {day:02d} Oct 2026 "
            f"{hour:02d}:00:00 GMT</pubDate><description>{words}.</description></item>")
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Bench feed {n}</title><link>https://news{n % 97}.example.com/</link>"
            f"<description>bench</description>{''.join(items)}</channel></rss>").encode()


FAIL_MODES = ("500", "404", "reset", "garbage", "stall")


def fail_mode(n: int, fail_pct: int) -> str | None:
    if fail_pct <= 0 or n % (100 // fail_pct) != 7 % (100 // fail_pct):
        return None
    return FAIL_MODES[(n // (100 // fail_pct)) % len(FAIL_MODES)]


# -- the server (its own process) ------------------------------------------------

async def _serve(port: int, hosts: int, fail_pct: int, ready: Path) -> None:
    cache: dict[int, bytes] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                path = head[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
                n = int(path.rsplit("/", 1)[1].split(".")[0])
                mode = fail_mode(n, fail_pct)
                if mode == "reset":
                    writer.transport.abort()
                    return
                if mode == "stall":
                    await asyncio.sleep(120)
                    return
                if mode in ("500", "404"):
                    writer.write(f"HTTP/1.1 {mode} Oops\r\nContent-Length: 0\r\n\r\n".encode())
                    await writer.drain()
                    continue
                etag = f'"f{n}"'
                if headers.get("if-none-match") == etag:
                    writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode())
                else:
                    body = bytes(range(256)) * 300 if mode == "garbage" else cache.get(n) or feed_body(n)
                    cache.setdefault(n, body)
                    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
                                 f"ETag: {etag}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError):
            pass
        finally:
            writer.close()

    addresses = [f"127.0.0.{h}" for h in range(1, hosts + 1)]
    server = await asyncio.start_server(handle, addresses, port, backlog=2048)
    ready.write_text("ok")
    async with server:
        await server.serve_forever()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def urls(port: int, feeds: int, hosts: int) -> list[str]:
    return [f"http://127.0.0.{1 + n % hosts}:{port}/feed/{n}.xml" for n in range(feeds)]


def peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own, 1), "peak_rss_worker_mb": round(kids, 1)}


# -- the two clients (each in its own process) -------------------------------------

def _cpu() -> tuple[float, float]:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def run_digest(args: argparse.Namespace) -> dict[str, object]:
    import datetime as dt

    from digest.config import load_config
    from digest.polling import poll_all
    from digest.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="bench-digest-"))
    feeds = "".join(f"  - name: f{n}\n    url: {u}\n" for n, u in enumerate(urls(args.port, args.feeds, args.hosts)))
    (tmp / "feeds.yaml").write_text(f"poll: {{timeout: {args.timeout}s, concurrency: {args.concurrency}}}\n"
                                    f"storage: sqlite:///{tmp / 'd.db'}\nfeeds:\n{feeds}")
    config = load_config(tmp / "feeds.yaml")
    out: dict[str, object] = {"tool": "digest", "concurrency": args.concurrency}
    passes = 1 if args.fail_pct else 2
    with open_store(config.storage) as store:
        for p in range(passes):
            started, cpu = time.perf_counter(), _cpu()
            if os.environ.get("BENCH_PROFILE") == str(p + 1):
                import cProfile

                with cProfile.Profile() as prof:
                    reports = poll_all(config, store, dt.datetime.now(dt.timezone.utc), force=True)
                prof.dump_stats(f"/tmp/bench-poll-pass{p + 1}.prof")
            else:
                reports = poll_all(config, store, dt.datetime.now(dt.timezone.utc), force=True)
            out[f"pass{p + 1}_s"] = round(time.perf_counter() - started, 2)
            out[f"pass{p + 1}_cpu_main_s"], out[f"pass{p + 1}_cpu_workers_s"] = (
                round(a - b, 2) for a, b in zip(_cpu(), cpu))
            out[f"pass{p + 1}_failing"] = sum(r.status == "failing" for r in reports)
            out[f"pass{p + 1}_added"] = sum(r.added for r in reports)
        out["entries"] = store.article_count()
    out.update(peak_rss_mb())
    return out


def run_reader(args: argparse.Namespace) -> dict[str, object]:
    from reader import make_reader

    tmp = Path(tempfile.mkdtemp(prefix="bench-reader-"))
    reader = make_reader(str(tmp / "r.sqlite"))
    for u in urls(args.port, args.feeds, args.hosts):
        reader.add_feed(u)
    out: dict[str, object] = {"tool": "reader"}
    for p in range(2):
        started, cpu = time.perf_counter(), _cpu()
        reader.update_feeds(scheduled=False)
        out[f"pass{p + 1}_s"] = round(time.perf_counter() - started, 2)
        out[f"pass{p + 1}_cpu_main_s"] = round(_cpu()[0] - cpu[0], 2)
    out["entries"] = reader.get_entry_counts().total
    reader.close()
    out.update(peak_rss_mb())
    return out


def child(kind: str, args: argparse.Namespace, port: int, fail_pct: int) -> dict[str, object]:
    cmd = [sys.executable, __file__, kind, "--port", str(port), "--feeds", str(args.feeds), "--hosts",
           str(args.hosts), "--concurrency", str(args.concurrency), "--timeout", str(args.timeout),
           "--fail-pct", str(fail_pct)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def start_server(args: argparse.Namespace, fail_pct: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    ready = Path(tempfile.mkdtemp()) / "ready"
    server = subprocess.Popen([sys.executable, __file__, "serve", "--port", str(port), "--hosts", str(args.hosts),
                               "--fail-pct", str(fail_pct), "--ready", str(ready)])
    while not ready.exists():
        time.sleep(0.05)
    return server, port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", nargs="?", default="all", choices=["all", "serve", "digest", "reader"])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=10)
    parser.add_argument("--fail-pct", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", default="")
    parser.add_argument("--runs", default="digest,reader,digest-fail",
                        help="which runs, comma-separated: digest, reader, digest-fail")
    args = parser.parse_args()
    if args.kind == "serve":
        asyncio.run(_serve(args.port, args.hosts, args.fail_pct, Path(args.ready)))
        return
    if args.kind in ("digest", "reader"):
        print(json.dumps(run_digest(args) if args.kind == "digest" else run_reader(args)))
        return
    rows = []
    runs = {"digest": ("digest", 0), "reader": ("reader", 0), "digest-fail": ("digest", 5)}
    for kind, fail_pct in (runs[r] for r in args.runs.split(",")):
        server, port = start_server(args, fail_pct)
        try:
            row = child(kind, args, port, fail_pct)
        finally:
            server.terminate()
            server.wait()
        row["fail_pct"] = fail_pct
        rows.append(row)
        print(json.dumps(row), flush=True)
    report(args, rows)


def report(args: argparse.Namespace, rows: list[dict[str, object]]) -> None:
    lines = [f"# digest poll benchmark: {args.feeds} feeds x {ENTRIES} entries (~75 KB each), one local server "
             f"process on {args.hosts} loopback addresses; {os.cpu_count()} cores shared with other work",
             f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; python bench/poll.py --feeds {args.feeds}",
             ""]
    for row in rows:
        first, second = row.get("pass1_s"), row.get("pass2_s")
        rate = round(int(row["entries"]) / first) if isinstance(first, (int, float)) and first else None
        label = f"{row['tool']}{' with %d%% failing feeds' % row['fail_pct'] if row['fail_pct'] else ''}"
        cpu = f" [CPU {row.get('pass1_cpu_main_s')}s main + {row.get('pass1_cpu_workers_s', 0)}s workers]"
        lines.append(f"{label:32} first pass {first:>7}s ({rate} entries/s){cpu}"
                     + (f"  all-304 second pass {second:>6}s" if second is not None else "")
                     + f"  entries stored {row['entries']}  peak RSS {row['peak_rss_mb']} MB"
                     f" (+ largest worker {row['peak_rss_worker_mb']} MB)"
                     + (f"  failing {row['pass1_failing']}" if row["fail_pct"] else ""))
    by = {(r["tool"], r["fail_pct"]): r for r in rows}
    if ("reader", 0) in by and ("digest", 0) in by:
        d, r = by[("digest", 0)], by[("reader", 0)]
        lines += ["", f"first pass: digest {r['pass1_s'] / d['pass1_s']:.2f}x reader's entries/s (goal >= 2x)",
                  f"second pass: digest {r['pass2_s'] / d['pass2_s']:.2f}x faster than reader (goal >= 3x)"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

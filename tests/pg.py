"""A throwaway PostgreSQL server for tests (initdb + pg_ctl on a Unix socket, no TCP).

Skips when PostgreSQL's programs or the psycopg driver are not installed. As root,
the server runs as ``nobody`` (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *args]
    return args


@contextmanager
def postgres_url() -> Iterator[str]:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("PostgreSQL (initdb, pg_ctl) is not installed")
    folder = Path(tempfile.mkdtemp(prefix="digest-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
    data, port = folder / "data", 40000 + os.getpid() % 20000
    run = lambda *a: subprocess.run(_as_server_user(list(a)), check=True, capture_output=True, timeout=60)  # noqa: E731
    try:
        run("initdb", "-D", str(data), "-A", "trust", "-U", "digest", "--no-sync", "-E", "UTF8")
        run("pg_ctl", "-D", str(data), "-w", "-l", str(folder / "log"),
            "-o", f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off", "start")
        yield f"postgresql+psycopg://digest@/postgres?host={folder}&port={port}"
    finally:
        subprocess.run(_as_server_user(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)

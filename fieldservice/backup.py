"""Backups: `flask --app wsgi backup` writes a consistent copy of the database while the app keeps serving.

Everything lives in the database (signed PDFs, signatures and photos included), so one file is a whole backup.
SQLite is copied with its online-backup API: copying the file of a WAL database can miss committed pages.
PostgreSQL is dumped with pg_dump in its custom format, for pg_restore.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, Engine

BACKUP_NAME = re.compile(r"fieldservice-\d{8}-\d{6}\.(db|dump)")


class BackupError(Exception):
    pass


def backup_name(dialect: str, at: datetime) -> str:
    """The file name of a backup taken at `at`: sorting the names sorts the backups by age."""
    return f"fieldservice-{at:%Y%m%d-%H%M%S}.{'db' if dialect == 'sqlite' else 'dump'}"


def backups_to_prune(names: list[str], keep: int) -> list[str]:
    """The backups older than the newest `keep`, oldest first. Files named otherwise are not ours to delete."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    ours = sorted(name for name in names if BACKUP_NAME.fullmatch(name))
    return ours[:-keep]


def libpq_environment(url: URL) -> dict[str, str]:
    """The connection as libpq variables: the password stays out of pg_dump's command line (and `ps`)."""
    values = {"PGHOST": url.host or url.query.get("host"), "PGPORT": url.port and str(url.port),
              "PGUSER": url.username, "PGPASSWORD": url.password, "PGDATABASE": url.database}
    return {name: value for name, value in values.items() if value}


def write_backup(engine: Engine, directory: Path, at: datetime) -> Path:
    """Write a backup of the engine's database into `directory` and return its path. A failed backup leaves
    no file behind, and an existing backup is never overwritten."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / backup_name(engine.dialect.name, at)
    if target.exists():
        raise BackupError(f"{target} already exists")
    partial = target.with_name(target.name + ".partial")
    try:
        if engine.dialect.name == "sqlite":
            _copy_sqlite(engine, partial)
        elif engine.dialect.name == "postgresql":
            _dump_postgresql(engine.url, partial)
        else:
            raise BackupError(f"backups of {engine.dialect.name} databases are not supported")
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def prune_backups(directory: Path, keep: int) -> list[Path]:
    doomed = [directory / name for name in backups_to_prune([p.name for p in directory.iterdir()], keep)]
    for path in doomed:
        path.unlink()
    return doomed


def _copy_sqlite(engine: Engine, target: Path) -> None:
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            source.driver_connection.backup(copy)
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if verdict != "ok":
        raise BackupError(f"the copy failed its integrity check: {verdict}")


def _dump_postgresql(url: URL, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump was not found: install the PostgreSQL client (apt-get install postgresql-client)")
    done = subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--file={target}"],
                          env={**os.environ, **libpq_environment(url)}, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")

"""`flask --app wsgi backup` on the database the tests run on (SQLite, or PostgreSQL with pg_dump)."""
import sqlite3
import subprocess

from fieldservice.extensions import db as _db
from tests import factories


def _backup(app, *args):
    return app.test_cli_runner().invoke(args=["backup", *args])


def test_a_backup_holds_every_row_and_the_newest_backups_are_kept(app, db, tmp_path):
    customer = factories.customer(name="备份客户")
    old = [tmp_path / "fieldservice-20200101-000000.db", tmp_path / "fieldservice-20200101-000000.dump"]
    for path in old:
        path.write_bytes(b"an old backup")
    (tmp_path / "readme.txt").write_text("not a backup")
    _db.session.commit()
    result = _backup(app, "--to", str(tmp_path), "--keep", "1")
    assert result.exit_code == 0, result.output
    [written] = [p for p in tmp_path.iterdir() if p.name.startswith("fieldservice-2") and p not in old]
    assert f"backup written: {written}" in result.output
    assert not any(p.exists() for p in old) and (tmp_path / "readme.txt").exists()
    if _db.engine.dialect.name == "sqlite":
        copy = sqlite3.connect(written)
        assert copy.execute("SELECT name FROM customer").fetchall() == [(customer.name,)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copy.close()
    else:
        listing = subprocess.run(["pg_restore", "--list", str(written)], capture_output=True, text=True, check=True)
        assert "TABLE DATA public customer" in listing.stdout


def test_a_backup_never_overwrites_one_taken_in_the_same_second(app, db, tmp_path, monkeypatch):
    from fieldservice import backup

    monkeypatch.setattr(backup, "backup_name", lambda dialect, at: "fieldservice-20261122-030000.db")
    (tmp_path / "fieldservice-20261122-030000.db").write_bytes(b"the first one")
    result = _backup(app, "--to", str(tmp_path))
    assert result.exit_code == 1 and "already exists" in result.output
    assert (tmp_path / "fieldservice-20261122-030000.db").read_bytes() == b"the first one"

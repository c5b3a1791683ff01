from datetime import datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from fieldservice import backup
from fieldservice.backup import BackupError, backup_name, backups_to_prune, libpq_environment, write_backup


def test_backup_names_sort_by_the_moment_they_were_taken():
    earlier = backup_name("sqlite", datetime(2026, 11, 9, 23, 59, 59))
    later = backup_name("sqlite", datetime(2026, 11, 10, 0, 0, 0))
    assert earlier == "fieldservice-20261109-235959.db" and sorted([later, earlier]) == [earlier, later]


def test_a_postgresql_backup_is_a_pg_dump_archive():
    assert backup_name("postgresql", datetime(2026, 1, 2, 3, 4, 5)) == "fieldservice-20260102-030405.dump"


def test_pruning_keeps_the_newest_backups_and_never_touches_other_files():
    names = ["fieldservice-20261101-020000.db", "notes.txt", "fieldservice-20261103-020000.db",
             "fieldservice-20261102-020000.dump", "fieldservice-20261104-020000.db.partial", "fieldservice.db"]
    assert backups_to_prune(names, keep=2) == ["fieldservice-20261101-020000.db"]
    assert backups_to_prune(names, keep=3) == []


def test_pruning_cannot_be_asked_to_keep_no_backup_at_all():
    with pytest.raises(ValueError):
        backups_to_prune(["fieldservice-20261101-020000.db"], keep=0)


def test_the_password_reaches_pg_dump_through_the_environment_not_its_command_line():
    env = libpq_environment(make_url("postgresql+psycopg://fs:s3cret@db.internal:5433/fieldservice"))
    assert env == {"PGHOST": "db.internal", "PGPORT": "5433", "PGUSER": "fs", "PGPASSWORD": "s3cret",
                   "PGDATABASE": "fieldservice"}


def test_a_unix_socket_host_given_in_the_query_is_passed_on():
    env = libpq_environment(make_url("postgresql+psycopg://fieldservice@/fieldservice?host=/var/run/postgresql"))
    assert env == {"PGHOST": "/var/run/postgresql", "PGUSER": "fieldservice", "PGDATABASE": "fieldservice"}


def test_without_pg_dump_the_backup_fails_with_what_to_install_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    engine = create_engine("postgresql+psycopg://fs@127.0.0.1:1/fieldservice")  # never connected
    with pytest.raises(BackupError, match="apt-get install postgresql-client"):
        write_backup(engine, tmp_path, datetime(2026, 11, 22, 3, 0))
    assert list(tmp_path.iterdir()) == []

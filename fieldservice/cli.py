"""Command line: `flask --app wsgi <command>`. Areas add theirs in <area>/commands.py (COMMANDS list)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .i18n import compile_catalogs


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Upgrade the database to the latest migration."""
    upgrade()
    click.echo("database is at the latest migration")


@click.command("compile-translations")
def compile_translations_command():
    """Compile the .po catalogues to .mo (the app also does it when it starts, so this usually finds none)."""
    compile_catalogs()
    click.echo("translation catalogues are compiled and up to date")


@click.command("missing-translations")
@click.option("--po", is_flag=True, help="Print them as .po entries to fill in.")
def missing_translations_command(po: bool):
    """List messages that have no zh_CN translation yet."""
    from .i18n import missing_translations

    for msgid, where in sorted(missing_translations().items()):
        if po:
            escaped = msgid.replace("\\", "\\\\").replace('"', '\\"')
            click.echo(f"#: {' '.join(where[:3])}\nmsgid \"{escaped}\"\nmsgstr \"\"\n")
        else:
            click.echo(f"{msgid}\t{where[0]}")


@click.command("api-token")
@click.argument("username")
@click.option("--label", default=None, help="What the token is for, e.g. telephony.")
@click.option("--revoke", is_flag=True, help="Withdraw every token of USERNAME instead (e.g. one leaked).")
@with_appcontext
def api_token_command(username: str, label: str | None, revoke: bool):
    """Print a new API token for USERNAME (shown once; only its hash is stored)."""
    from .auth.services import issue_api_token, revoke_api_tokens
    from .errors import DomainError

    try:
        if revoke:
            click.echo(f"revoked {revoke_api_tokens(username)} token(s) of {username}")
        else:
            click.echo(issue_api_token(username, label))
    except DomainError as error:
        raise click.ClickException(str(error.message))


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "technician", "manager", "admin"]), required=True)
@click.option("--name", "display_name", required=True)
@click.password_option()
@with_appcontext
def create_user_command(username: str, role: str, display_name: str, password: str):
    """Create a user (e.g. the first admin of a production install)."""
    from .auth.services import create_user
    from .errors import DomainError

    try:
        create_user(username=username, display_name=display_name, role=role, password=password)
    except DomainError as error:
        raise click.ClickException(str(error.message))
    click.echo(f"created {role} {username}")


@click.command("backup")
@click.option("--to", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the backup (default: instance/backups).")
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="Afterwards delete all but the newest N backups in that folder.")
@with_appcontext
def backup_command(directory: Path | None, keep: int | None):
    """Write a consistent copy of the database, safe while the app serves (README: restoring)."""
    from .backup import BackupError, prune_backups, write_backup
    from .extensions import db
    from .i18n import service_tz

    directory = directory or Path(current_app.instance_path) / "backups"
    try:
        path = write_backup(db.engine, directory, datetime.now(service_tz()))
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"backup written: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if keep:
        for old in prune_backups(directory, keep):
            click.echo(f"removed the older backup {old.name}")


def register_commands(app: Flask) -> None:
    for command in (init_db_command, compile_translations_command, missing_translations_command, api_token_command,
                    create_user_command, backup_command):
        app.cli.add_command(command)
    from . import AREAS, import_optional

    for area in AREAS + ("demo",):
        module = import_optional(f"{__package__}.{area}.commands")
        for command in getattr(module, "COMMANDS", ()):
            app.cli.add_command(command)

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext as _
from tqdm import tqdm

from ..errors import DomainError
from ..i18n import LOCALES

ENVIRONMENT_LOCALE = ("LC_ALL", "LC_MESSAGES", "LANG")


def environment_locale(environ: Mapping[str, str]) -> str | None:
    """The language of the shell (LC_ALL, LC_MESSAGES, LANG as gettext reads them): zh_CN, en or None."""
    for name in ENVIRONMENT_LOCALE:
        value = (environ.get(name) or "").lower()
        if value:
            if value.startswith("zh"):
                return "zh_CN"
            if value.startswith("en"):
                return "en"
            return None
    return None


@click.command("import-units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show-errors", default=50, show_default=True, help="How many bad rows to list (all are counted).")
@click.option("--locale", "locale", type=click.Choice(LOCALES), default=None,
              help="Language of the report; by default the shell's (LANG), else the site's default language.")
@with_appcontext
def import_units_command(file: Path, show_errors: int, locale: str | None):
    """Import the installed base from a CSV file (UTF-8, with or without BOM).

    Columns: serial, model_code, customer_name, phone, address, purchase_date, invoice_no, sale_type,
    customer_type, contract_warranty_months. Bad rows are listed with every problem each has and skipped;
    importing again changes nothing.
    """
    from .services import import_units, read_units_csv

    locale = locale or environment_locale(os.environ) or current_app.config["BABEL_DEFAULT_LOCALE"]
    data = file.read_bytes()
    total = max(data.count(b"\n") - 1, 0)
    with force_locale(locale):
        try:
            with tqdm(total=total, unit="rows", desc=file.name) as bar:
                report = import_units(read_units_csv(data), progress=bar.update)
        except DomainError as error:
            raise click.ClickException(str(error.message))
        click.echo(_("rows: %(rows)s  units registered: %(units)s  customers created: %(customers)s  "
                     "already registered: %(existing)s  bad rows: %(bad)s",
                     rows=report.rows, units=report.units_created, customers=report.customers_created,
                     existing=report.already_registered, bad=len(report.errors)))
        for line, reasons in report.errors[:show_errors]:
            for reason in reasons:
                click.echo(_("line %(line)s: %(reason)s", line=line, reason=reason), err=True)
        if len(report.errors) > show_errors:
            click.echo(_("… and %(n)s more bad rows", n=len(report.errors) - show_errors), err=True)


COMMANDS = [import_units_command]

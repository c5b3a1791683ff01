from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from ..errors import DomainError


@click.command("import-units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show-errors", default=50, show_default=True, help="How many bad rows to list (all are counted).")
@with_appcontext
def import_units_command(file: Path, show_errors: int):
    """Import the installed base from a CSV file (UTF-8, with or without BOM).

    Columns: serial, model_code, customer_name, phone, address, purchase_date, invoice_no, sale_type,
    customer_type, contract_warranty_months. Bad rows are listed and skipped; importing again changes nothing.
    """
    from .services import import_units, read_units_csv

    data = file.read_bytes()
    total = max(data.count(b"\n") - 1, 0)
    try:
        with tqdm(total=total, unit="rows", desc=file.name) as bar:
            report = import_units(read_units_csv(data), progress=bar.update)
    except DomainError as error:
        raise click.ClickException(str(error.message))
    click.echo(f"rows: {report.rows}  units registered: {report.units_created}  "
               f"customers created: {report.customers_created}  already registered: {report.already_registered}  "
               f"bad rows: {len(report.errors)}")
    for line, reason in report.errors[:show_errors]:
        click.echo(f"line {line}: {reason}", err=True)
    if len(report.errors) > show_errors:
        click.echo(f"… and {len(report.errors) - show_errors} more bad rows", err=True)


COMMANDS = [import_units_command]

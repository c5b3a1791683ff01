"""`flask --app wsgi plans generate`: the daily plan run (safe to repeat: it creates nothing twice)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

plans = AppGroup("plans", help="Service agreement visit plans.")


@plans.command("generate")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Plan as if today were this date (YYYY-MM-DD); default: today in the service time zone.")
def generate_command(today):
    """End agreements past their end date; plan every active agreement; create what is due within 30 days."""
    from .services import generate_plans

    run = generate_plans(today.date() if today else None)
    click.echo(f"planned {run.planned} item(s), created {run.callbacks} callback(s) and {run.requests} "
               f"maintenance request(s), skipped {run.skipped} stale callback(s); ended {len(run.ended)} agreement(s)"
               + (f": {', '.join(run.ended)}" if run.ended else ""))


COMMANDS = [plans]

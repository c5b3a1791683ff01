"""`flask --app wsgi demo-data`: the demo service centre (and, with --scale, a large installed base)."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from .data import PASSWORD, STAFF, TECHNICIANS
from .load import DEFAULT_SEED, load_demo


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--scale", type=click.IntRange(min=1), metavar="N",
              help="Also generate N installed units (about 0.6 N customers) for benchmarks.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the random data.")
@with_appcontext
def demo_data_command(if_empty: bool, scale: int | None, seed: int):
    """Load the demo data; running it again creates only what is missing."""
    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("the database already has users: demo data not loaded")
        return
    started = time.perf_counter()
    created = load_demo(seed=seed)
    if created:
        click.echo("demo data created: " + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in
                                                     sorted(created.items())))
    else:
        click.echo("demo data already present: nothing to do")
    click.echo(f"took {time.perf_counter() - started:.1f} s")
    if scale:
        from .scale import generate_installed_base

        generate_installed_base(scale, seed=seed, progress=click.echo)
    logins = [u for u, _n, _r in STAFF[:2]] + [TECHNICIANS[0][0] + " … " + TECHNICIANS[-1][0]] + \
             [u for u, _n, _r in STAFF[2:]]
    click.echo(f"demo logins (password: {PASSWORD}): {', '.join(logins)}")


COMMANDS = [demo_data_command]

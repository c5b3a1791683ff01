"""`flask --app wsgi plan-tomorrow`: propose tomorrow's day plan from cron, ready for the manager to review."""
from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext


@click.command("plan-tomorrow")
@with_appcontext
def plan_tomorrow_command():
    """Propose tomorrow's plan (nothing is booked: a manager reviews and applies it on its page)."""
    from . import services

    proposal = services.propose_plan(services.local_day(1))
    payload = proposal.payload
    visits = sum(len(t["visits"]) for t in payload["technicians"])
    click.echo(f"plan {proposal.id} for {proposal.day}: {visits} of {payload['requests']} request(s) planned, "
               f"{payload['promises_missed']} after the promise, {len(payload['unassigned'])} unassigned, "
               f"{len(payload['book_today'])} to book today; {proposal.total_km:.0f} km "
               f"(nearest technician by hand: {proposal.baseline_km or 0:.0f} km)")
    with current_app.test_request_context():
        click.echo(f"review and apply it at {url_for('dispatch.plan_preview', plan_id=proposal.id)}")


COMMANDS = [plan_tomorrow_command]

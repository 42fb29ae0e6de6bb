"""``flask --app wsgi backfill-decision-times``: the analytics' time to decide for decisions
taken before it was kept (``ApprovalTask.wait_seconds``), counted as it is now."""

import click
import sqlalchemy as sa

from momoflow.extensions import db
from momoflow.workflows import tat
from momoflow.workflows.models import ApprovalTask, TaskStatus, WorkflowRequest

BATCH = 500
DECIDED = (TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.RETURNED)


def backfill(batch=BATCH):
    """Fill in every decided task that lacks its wait, ``batch`` at a time (each committed,
    so a long run can be stopped and started again). Returns how many were filled."""
    done = 0
    while True:
        tasks = db.session.scalars(
            sa.select(ApprovalTask).where(ApprovalTask.wait_seconds.is_(None), ApprovalTask.status.in_(DECIDED),
                                          ApprovalTask.acted_at.is_not(None))
            .options(sa.orm.joinedload(ApprovalTask.level)).limit(batch)).all()
        if not tasks:
            return done
        db.session.scalars(sa.select(WorkflowRequest).where(  # into the identity map: tat.waited reads them
            WorkflowRequest.id.in_({task.request_id for task in tasks}))).all()
        for task in tasks:
            task.wait_seconds, task.on_time = tat.waited(task, task.acted_at)
        db.session.commit()
        done += len(tasks)


@click.command("backfill-decision-times")
def backfill_command():
    """Count the time to decide of decisions taken before approval analytics kept it."""
    click.echo(f"Filled in {backfill()} decisions.")

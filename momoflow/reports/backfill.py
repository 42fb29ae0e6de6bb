"""``flask --app wsgi backfill-decision-times``: the analytics' facts (``ApprovalDecision``) for
decisions taken before they were kept, their wait counted as it is now."""

import click
import sqlalchemy as sa

from momoflow.extensions import db
from momoflow.workflows.models import ApprovalDecision, ApprovalTask, TaskStatus, WorkflowRequest
from momoflow.workflows.tasks import decision_fact

BATCH = 500
DECIDED = (TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.RETURNED)


def backfill(batch=BATCH):
    """Keep every decided task that has no fact yet, ``batch`` at a time (each committed, so a
    long run can be stopped and started again). Returns how many were kept."""
    done = 0
    while True:
        tasks = db.session.scalars(
            sa.select(ApprovalTask).outerjoin(ApprovalDecision, ApprovalDecision.task_id == ApprovalTask.id)
            .where(ApprovalDecision.task_id.is_(None), ApprovalTask.status.in_(DECIDED),
                   ApprovalTask.acted_at.is_not(None), ApprovalTask.acted_by_id.is_not(None))
            .options(sa.orm.joinedload(ApprovalTask.level)).limit(batch)).all()
        if not tasks:
            return done
        db.session.scalars(sa.select(WorkflowRequest).where(  # into the identity map: tat.waited reads them
            WorkflowRequest.id.in_({task.request_id for task in tasks}))).all()
        db.session.add_all(decision_fact(task, by_delegate=task.on_behalf_of_id is not None) for task in tasks)
        db.session.commit()
        done += len(tasks)


@click.command("backfill-decision-times")
def backfill_command():
    """Keep the time to decide of decisions taken before approval analytics kept it."""
    click.echo(f"Filled in {backfill()} decisions.")

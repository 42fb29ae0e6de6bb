"""What the schedule tests share: the demo's people, the API's example body, and setting
up a schedule or reading assignments without HTTP."""

from datetime import datetime, timezone

import sqlalchemy as sa

from momoflow.flows import schedules, services
from momoflow.flows.models import Assignment, Flow
from tests.conftest import csrf_token_from

ADMIN, EMPLOYEE, MANAGER, HR = ("admin@company.com", "employee@company.com", "manager@royalenfield.com",
                                "hr@royalenfield.com")
BODY = {"flowId": "flow_sec101", "userEmails": [EMPLOYEE, "Manager@RoyalEnfield.com", EMPLOYEE], "every": 12,
        "unit": "months", "dueInDays": 30, "priority": "high", "notes": "Yearly refresher",
        "startAt": "2030-01-31T09:00:00Z"}
HTMX = {"HX-Request": "true"}


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def assignments_of(db, flow_id="flow_sec101"):
    """The flow's assignments, with their people, oldest first."""
    return db.session.scalars(sa.select(Assignment).join(Flow, Flow.id == Assignment.flow_id)
                              .where(Flow.public_id == flow_id).options(sa.orm.joinedload(Assignment.user))
                              .order_by(Assignment.assigned_at, Assignment.id)).all()


def new_schedule(demo, emails=(EMPLOYEE, MANAGER), every=1, unit="months", start=None, **fields):
    return schedules.create_schedule(services.Assigner.signed_in(demo[ADMIN]), fields.pop("flow_id", "flow_sec101"),
                                     list(emails), every, unit, first_run_at=start, **fields)


def page_token(client):
    response = client.get("/flows/schedules")
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def form(**changes):
    return {"flow": "flow_sec101", "people": f"{EMPLOYEE}, {MANAGER}", "every": "12", "unit": "months",
            "due_in_days": "30", "priority": "high", "notes": "", "start_date": "", **changes}

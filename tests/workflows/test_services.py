"""Rules that read more clearly without HTTP: numbering, level names, deadlines."""

from datetime import datetime, timezone
from decimal import Decimal
from types import SimpleNamespace

from momoflow.workflows import rules, tat
from momoflow.worktime import DEFAULT_CALENDAR
from momoflow.workflows.numbering import next_request_number
from tests.factories import make_org, make_user


def test_numbers_count_per_month_and_per_organisation(db):
    first, second = make_org(), make_org()
    november = datetime(2026, 11, 30, 23, 59, tzinfo=timezone.utc)
    december = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)
    assert next_request_number(first.id, november) == "REQ-2026-11-0001"
    assert next_request_number(first.id, november) == "REQ-2026-11-0002"
    assert next_request_number(second.id, november) == "REQ-2026-11-0001"
    assert next_request_number(first.id, december) == "REQ-2026-12-0001"


def test_a_rolled_back_create_gives_its_number_back(db):
    organization = make_org()
    now = datetime(2026, 11, 22, tzinfo=timezone.utc)
    savepoint = db.session.begin_nested()
    assert next_request_number(organization.id, now) == "REQ-2026-11-0001"
    savepoint.rollback()
    assert next_request_number(organization.id, now) == "REQ-2026-11-0001"


def test_level_names_follow_designation_then_department_then_number(db):
    organization = make_org()
    assert rules.level_name_for([make_user(organization, designation="Manager", department="Ops")], 1) == \
        "Manager Approval"
    assert rules.level_name_for([make_user(organization, department="Finance")], 2) == "Finance Approval"
    assert rules.level_name_for([make_user(organization)], 3) == "Level 3 Approval"


def test_a_level_of_several_is_named_by_what_they_share_else_by_number(db):
    organization = make_org()
    finance = [make_user(organization, designation=title, department="Finance") for title in ("Clerk", "Head")]
    assert rules.level_name_for(finance, 1) == "Finance Approval"
    directors = [make_user(organization, designation="Director", department=name) for name in ("Ops", "IT")]
    assert rules.level_name_for(directors, 2) == "Director Approval"
    mixed = [make_user(organization, department="Ops"), make_user(organization, designation="Head")]
    assert rules.level_name_for(mixed, 3) == "Level 3 Approval"


def test_express_deadlines_count_calendar_hours_and_standard_ones_working_hours():
    start = datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc)  # a Friday evening

    def deadline(priority, hours):
        return tat.deadline_for(SimpleNamespace(priority=priority), SimpleNamespace(tat_hours=Decimal(hours)),
                                start, DEFAULT_CALENDAR)

    assert deadline("EXPRESS", "1.5") == datetime(2026, 11, 20, 19, 30, tzinfo=timezone.utc)
    assert deadline("EXPRESS", 48) == datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)
    assert deadline("STANDARD", "1.5") == datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc)  # Monday 09:00 on
    assert rules.tat_hours_json(Decimal("24.00")) == 24 and rules.tat_hours_json(Decimal("1.50")) == 1.5

"""Assigning a flow to a group or a department: everyone in it now, and, with a rule, everyone
who joins it later. Callers own the transaction.

A group is any group the app knows (local ones admins keep, mirrors of directory groups:
``groups.services.members_of`` answers for both); a department is the ``department`` the
directory or an admin gave people. A rule (``AssignmentRule``) is applied by the tick
(``apply_rules``), and by SCIM provisioning for groups kept here (``apply_rules_for``): each member the rule has not dealt with yet is assigned through the bulk
path and remembered (``AssignmentRuleMember``), assigned or passed over because they had the
flow open, so nobody is assigned twice by the same rule, however often it runs or they move.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa

from momoflow.accounts.models import Organization, User
from momoflow import fields
from momoflow.database import utcnow
from momoflow.directory import DirectoryUnavailable
from momoflow.errors import Conflict, NotFound
from momoflow.extensions import db
from momoflow.flows import access, services
from momoflow.flows.models import (
    AssignmentRule,
    AssignmentRuleMember,
    AudienceKind,
    FlowStatus,
    Priority,
)
from momoflow.flows.schemas import iso
from momoflow.groups import services as groups

log = logging.getLogger(__name__)

MAX_AUDIENCE = 2000  # people assigned from one group or department at a time
MAX_JOIN_DUE_DAYS = 3650
RULES_PER_TICK = 20
NO_SUCH_AUDIENCE = "Choose a group or department from the list"
TOO_BIG = f"That group or department has more than {MAX_AUDIENCE} people: assign it in parts"
NOT_ACTIVE = "This rule was stopped already"


def choices(organization):
    """``[(value, label)]`` for the Assign page: the groups, then the departments, by name."""
    group_names = groups.group_names(organization)
    departments = db.session.scalars(sa.select(User.department).distinct().where(
        User.organization_id == organization.id, User.active, User.department.is_not(None))
        .order_by(User.department)).all()
    return ([(f"group:{name}", f"Group: {name}") for name in group_names]
            + [(f"department:{name}", f"Department: {name}") for name in departments if name.strip()])


def parse(value):
    """``(AudienceKind, name)`` from a choice's value, or None (also for a name no row can
    hold: a NUL, which PostgreSQL cannot even compare, or a lone surrogate)."""
    kind, _, name = (value or "").partition(":")
    if kind not in {member.value for member in AudienceKind} or not name.strip() or len(name) > 200:
        return None
    if not access.can_name_a_row(name) or not fields.is_valid_text(name):
        return None
    return AudienceKind(kind), name


def from_json(value):
    """The API's ``{"type": "group" | "department", "name": …}`` as ``parse`` reads a choice
    (None for null). Any other shape becomes a choice ``parse`` refuses, so it is named
    as the ``audience`` problem."""
    if value is None:
        return None
    if isinstance(value, dict) and isinstance(value.get("type"), str) and isinstance(value.get("name"), str):
        return f"{value['type']}:{value['name']}"
    return "?"


def people_in(organization, kind, name):
    """The active people of the group or department, by name. NotFound for a group that
    does not exist; DirectoryUnavailable when a directory group cannot be read."""
    if kind == AudienceKind.GROUP:
        members = groups.members_of(organization, name)
        if members is None:
            raise NotFound(NO_SUCH_AUDIENCE, field="audience")
        return members
    return list(db.session.scalars(sa.select(User).where(
        User.organization_id == organization.id, User.active, User.department == name)
        .order_by(User.display_name, User.email).limit(MAX_AUDIENCE + 1)))


def describe(kind, name):
    return f"the {name} group" if kind == AudienceKind.GROUP else f"the {name} department"


# --- rules ----------------------------------------------------------------------------------


def create_rule(assigner, flow, kind, name, due_in_days, priority, notes, handled):
    """A rule assigning ``flow`` to whoever joins; ``handled``: ``{user id: assignment id or
    None}`` of the members dealt with already (the assignment made with the rule)."""
    rule = AssignmentRule(organization_id=assigner.organization.id, flow_id=flow.id, kind=kind, audience=name,
                          due_in_days=due_in_days, priority=priority or Priority.MEDIUM, notes=notes,
                          created_by_user_id=assigner.person_id, last_applied_at=utcnow())
    rule.flow = flow
    db.session.add(rule)
    db.session.flush()
    db.session.add_all(AssignmentRuleMember(rule_id=rule.id, user_id=user_id, assignment_id=assignment_id)
                       for user_id, assignment_id in handled.items())
    return rule


def list_rules(organization):
    """The organisation's rules, newest first, with their flows and how many each assigned."""
    assigned = (sa.select(sa.func.count()).select_from(AssignmentRuleMember)
                .where(AssignmentRuleMember.rule_id == AssignmentRule.id,
                       AssignmentRuleMember.assignment_id.is_not(None)).scalar_subquery())
    return db.session.execute(
        sa.select(AssignmentRule, assigned).options(sa.orm.joinedload(AssignmentRule.flow, innerjoin=True))
        .where(AssignmentRule.organization_id == organization.id)
        .order_by(AssignmentRule.created_at.desc(), AssignmentRule.id)).all()


def stop_rule(organization, rule_id):
    rule = None
    if access.can_name_a_row(rule_id):
        rule = db.session.scalar(sa.select(AssignmentRule).options(sa.orm.joinedload(AssignmentRule.flow))
                                 .where(AssignmentRule.public_id == rule_id,
                                        AssignmentRule.organization_id == organization.id))
    if rule is None:
        raise access.not_found("Rule", rule_id)
    if not rule.active:
        raise Conflict(NOT_ACTIVE)
    rule.active = False
    return rule


def apply_rules(now):
    """The tick's duty: every active rule assigns its flow to the members it has not dealt
    with yet. A rule whose directory group cannot be read waits for the next tick."""
    rules = db.session.scalars(
        sa.select(AssignmentRule).options(sa.orm.joinedload(AssignmentRule.flow, innerjoin=True))
        .where(AssignmentRule.active).order_by(AssignmentRule.last_applied_at.nulls_first(), AssignmentRule.id)
        .limit(RULES_PER_TICK).with_for_update(of=AssignmentRule, skip_locked=True)).all()
    for rule in rules:
        try:
            with db.session.begin_nested():
                _apply(rule, now)
        except (DirectoryUnavailable, NotFound) as error:
            log.warning("assignment rule %s waits: %s", rule.public_id, getattr(error, "message", error))
        except Exception:  # one broken rule must not hold up the others; it is tried next tick
            log.exception("assignment rule %s failed; it is tried again next tick", rule.public_id)
        rule.last_applied_at = now
    return len(rules)


def apply_rules_for(organization, now):
    """Provisioning's duty (SCIM): the organisation's rules on departments and on groups kept
    here (local ones, and those an identity provider pushes) assign newcomers at once, not at
    the next tick. Rules on directory groups wait for the tick: a provisioning request must
    not wait on the directory. A rule the tick holds right now is the tick's to apply."""
    rules = db.session.scalars(
        sa.select(AssignmentRule).options(sa.orm.joinedload(AssignmentRule.flow, innerjoin=True))
        .where(AssignmentRule.organization_id == organization.id, AssignmentRule.active)
        .order_by(AssignmentRule.id).with_for_update(of=AssignmentRule, skip_locked=True)).all()
    for rule in rules:
        if rule.kind == AudienceKind.GROUP and not groups.is_kept_here(organization, rule.audience):
            continue
        try:
            with db.session.begin_nested():
                _apply(rule, now)
        except Exception:  # provisioning goes on; the tick tries this rule again
            log.exception("assignment rule %s failed at provisioning; the tick tries again", rule.public_id)


def _apply(rule, now):
    if rule.flow.status != FlowStatus.ACTIVE:
        rule.active = False
        return
    organization = db.session.get(Organization, rule.organization_id)
    members = people_in(organization, rule.kind, rule.audience)
    handled = set(db.session.scalars(sa.select(AssignmentRuleMember.user_id)
                                     .where(AssignmentRuleMember.rule_id == rule.id)))
    joined = [person for person in members if person.id not in handled][:MAX_AUDIENCE]
    if not joined:
        return
    due = iso(now + timedelta(days=rule.due_in_days)) if rule.due_in_days is not None else None
    items = [{"flowId": rule.flow.public_id, "userEmail": person.email, "dueDate": due,
              "priority": rule.priority.value, "notes": rule.notes} for person in joined]
    creator = db.session.get(User, rule.created_by_user_id) if rule.created_by_user_id else None
    results = services.assign_many(services.Assigner(rule.organization_id, None, creator), items)
    for person, result in zip(joined, results):
        if result.error is None or result.error.code == "already_assigned":
            assignment = result.assigned[0] if result.error is None else None
            db.session.add(AssignmentRuleMember(rule_id=rule.id, user_id=person.id,
                                                assignment_id=assignment.id if assignment else None))
    log.info("assignment rule %s assigned %s to %d new member(s)", rule.public_id, rule.flow.public_id,
             sum(1 for result in results if result.error is None))

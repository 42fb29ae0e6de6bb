"""Who approves a request raised from a template: its level rules read against the form.

The preview and the create build the same ``Plan``, so what the requester sees is what
runs. Resolution:
- leaves out a level whose condition does not hold;
- finds each level's people by its rule (named people, the requester's management chain,
  the chain above a person named in the form, a group's members);
- never makes the requester approve their own request: their manager stands in;
- lets each person approve once, at the first level where they appear (a level left with
  nobody new is left out: its people already approve earlier);
- refuses a level whose rule finds nobody, naming it, unless the template says to skip it.
Management chains are read with one recursive query per person asked about, whatever the
depth (``management_chain``).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from momoflow.accounts.models import Source, User
from momoflow.accounts.services import needs_provisioning, provision_user
from momoflow.errors import DomainError
from momoflow.extensions import db
from momoflow.request_templates import conditions
from momoflow.request_templates.definition import MAX_CHAIN, RuleType, WhenNoApprover
from momoflow.workflows import rules
from momoflow.workflows.models import ApprovalMode

NOBODY_APPLIES = ("None of the template's levels applies to these values, so nobody would approve the request. "
                  "Check the values, or ask an administrator to look at the template.")


@dataclass
class Approver:
    user: User
    why: str  # "your manager", "member of finance-approvers", …


@dataclass
class PlannedLevel:
    index: int  # the template's level, from 0
    rule: object  # definition.LevelRule
    approvers: list[Approver]
    number: int = 0  # in the request, once the left-out levels are gone

    @property
    def min_approvals(self):
        return rules.approvals_needed(self.rule.approval_mode, self.rule.min_approvals, len(self.approvers))

    @property
    def summary(self):
        """``Priya Shah (your manager)``; ``2 of 3 of finance-approvers``."""
        rule, count = self.rule, len(self.approvers)
        if rule.approver_rule.type == RuleType.GROUP and count > 1:
            return f"{self.min_approvals} of {count} of {rule.approver_rule.group}"
        names = ", ".join(f"{approver.user.display_name} ({approver.why})" for approver in self.approvers)
        if count > 1 and rule.approval_mode != ApprovalMode.ANY:
            return f"{self.min_approvals} of {count}: {names}"
        return names


@dataclass
class LeftOut:
    index: int
    rule: object
    reason: str


@dataclass
class Plan:
    levels: list[PlannedLevel] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def approvers(self):
        return [approver.user for level in self.levels for approver in level.approvers]


class _Nobody(Exception):
    """A rule found nobody; the message says why, in the requester's words."""


def plan_levels(requester, definition, values):
    """The Plan for ``requester`` raising ``definition`` with checked ``values``."""
    chains = _Chains(requester)
    plan, taken = Plan(), set()
    for index, rule in enumerate(definition.levels):
        if not conditions.holds(rule.condition, values, definition.fields):
            plan.left_out.append(LeftOut(index, rule, "its condition does not hold: "
                                         + conditions.describe(rule.condition, definition.labels)))
            continue
        try:
            found = _not_the_requester(requester, _find(rule.approver_rule, requester, definition, values, chains),
                                       chains)
        except _Nobody as nobody:
            if definition.when_no_approver == WhenNoApprover.SKIP:
                plan.left_out.append(LeftOut(index, rule, str(nobody)))
                continue
            raise DomainError(f"Level {index + 1} ({rule.level_name}): {nobody}", field=f"levels.{index}") from None
        new = [approver for approver in found if approver.user.id not in taken]
        if not new:
            plan.left_out.append(LeftOut(index, rule, "everyone it names already approves at an earlier level"))
            continue
        if len(new) > rules.MAX_APPROVERS_PER_LEVEL:
            raise DomainError(f"Level {index + 1} ({rule.level_name}) finds {len(new)} approvers; a level can have "
                              f"at most {rules.MAX_APPROVERS_PER_LEVEL}", field=f"levels.{index}")
        taken.update(approver.user.id for approver in new)
        plan.levels.append(PlannedLevel(index, rule, new, number=len(plan.levels) + 1))
    if not plan.levels:
        raise DomainError(NOBODY_APPLIES, field="levels")
    return plan


def _find(rule, requester, definition, values, chains):
    if rule.type == RuleType.PEOPLE:
        return _named(rule.emails, requester.organization)
    if rule.type == RuleType.MANAGER:
        return [_up_the_chain(chains.of(requester), rule.levels_up, "you")]
    if rule.type == RuleType.FIELD_MANAGER:
        person = _person_in(definition.field(rule.field), values.get(rule.field), requester.organization)
        return [_up_the_chain(chains.of(person), rule.levels_up, person.display_name)]
    return _members(rule.group, requester.organization)


def _named(emails, organization):
    """The named people still with the organisation, found with one query (the directory
    is asked only about people not known here, or due a refresh)."""
    known = {user.email: user for user in db.session.scalars(
        sa.select(User).where(User.email.in_(emails)))}
    people = []
    for email in emails:
        user = known.get(email)
        if user is None or needs_provisioning(user, organization.id):
            user = provision_user(email, organization)
        if user is not None:
            people.append(Approver(user, "named in the template"))
    if not people:
        raise _Nobody(f"none of the people it names ({', '.join(emails)}) is in the directory any more")
    return people


def _person_in(definition, email, organization):
    if not email:
        raise _Nobody(f"{definition.label} is empty, so there is no one whose manager approves")
    person = provision_user(email, organization)
    if person is None:
        raise _Nobody(f"{email} ({definition.label}) is not in the directory")
    return person


def _up_the_chain(chain, levels_up, whose):
    """``levels_up`` above the chain's person, or its top if the chain is shorter."""
    person, managers = chain
    if not managers:
        subject = "you have" if whose == "you" else f"{whose} has"
        raise _Nobody(f"{subject} no manager in the directory")
    manager = managers[min(levels_up, len(managers)) - 1]
    return Approver(manager, _relation(whose, min(levels_up, len(managers)), levels_up > len(managers)))


def _relation(whose, steps, at_top):
    if whose == "you":
        text = "your manager" if steps == 1 else f"{steps} levels above you"
    else:
        text = f"{whose}'s manager" if steps == 1 else f"{steps} levels above {whose}"
    return f"{text}, top of the chain" if at_top else text


def _members(group, organization):
    from momoflow.groups.services import members_of  # the groups package reads the directory's groups

    members = members_of(organization, group)
    if members is None:
        raise _Nobody(f"there is no group called {group}")
    if not members:
        raise _Nobody(f"the group {group} has no active members")
    return [Approver(member, f"member of {group}") for member in members]


def _not_the_requester(requester, found, chains):
    """``found`` with the requester's manager in the requester's place (or no one, if they
    have none or the manager is there already)."""
    if all(approver.user.id != requester.id for approver in found):
        return found
    others = [approver for approver in found if approver.user.id != requester.id]
    _, managers = chains.of(requester)
    if managers and all(approver.user.id != managers[0].id for approver in others):
        others.append(Approver(managers[0], "your manager, as you cannot approve your own request"))
    if not others:
        raise _Nobody("it names only you, and you have no manager to approve in your place")
    return others


class _Chains:
    """Management chains read once per person for the whole plan."""

    def __init__(self, requester):
        self._read = {}

    def of(self, person):
        if person.id not in self._read:
            self._read[person.id] = (person, management_chain(person))
        return self._read[person.id]


def management_chain(person, depth=MAX_CHAIN):
    """``person``'s active managers, nearest first, at most ``depth`` of them.

    One recursive query walks the links we know. A directory person provisioned only as
    someone's manager has not had their own manager read yet (``synced_at`` is None):
    if the chain stops at one, they are read again from the directory and the walk goes
    on from them, so an incomplete chain costs a lookup per missing link, once.
    """
    chain, start = [], person
    while len(chain) < depth:
        found = _walk(start, depth - len(chain))
        chain.extend(user for user in found if user.active and user.organization_id == person.organization_id)
        top = found[-1] if found else start
        if top.manager_id is not None or top.source != Source.DIRECTORY or top.synced_at is not None:
            break
        refreshed = provision_user(top.email)
        if refreshed is None or refreshed.manager_id is None:
            break
        start = refreshed
    return _without_loops(person, chain)


def _walk(person, depth):
    """Up to ``depth`` managers above ``person`` as far as ``manager_id`` links go: one query."""
    links = sa.select(User.manager_id.label("id"), sa.literal(1).label("depth")).where(
        User.id == person.id, User.manager_id.is_not(None)).cte("chain", recursive=True)
    above = sa.select(User.manager_id, links.c.depth + 1).join(links, User.id == links.c.id).where(
        User.manager_id.is_not(None), links.c.depth < depth)
    links = links.union_all(above)
    return db.session.scalars(sa.select(User).join(links, User.id == links.c.id).order_by(links.c.depth)).all()


def _without_loops(person, chain):
    """A directory that names someone their own manager's manager must not loop us."""
    seen, kept = {person.id}, []
    for user in chain:
        if user.id in seen:
            break
        seen.add(user.id)
        kept.append(user)
    return kept

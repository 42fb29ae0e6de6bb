"""Flow versions: people keep the modules they started with.

An assignee's place in a flow is a count of modules done, in order (``Assignment.
modules_completed``), with their progress, quiz attempts and sign-offs recorded against
module ids. Adding, removing or reordering modules under someone who has started would
move their place or drop their records, so such an edit makes the next version instead:
new module rows (quizzes copied) that new assignments get, while everyone who started
keeps walking theirs. Rewording a module (title, content, minutes) changes it in place.

Assignments not yet started can move to the current version: at the edit (the editor's
checkbox, on by default) or later from the flow's page. Callers own the transaction.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.flows import access, files, history
from momoflow.flows.models import Assignment, AssignmentActivity, AssignmentStatus, Module, QuizQuestion

MOVED = "moved"  # the history line's action


def started_on(flow, version=None):
    """How many people have started ``version`` (the current one unless said) of ``flow``,
    whatever became of it since: each has progress to keep."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.flow_id == flow.id, Assignment.flow_version == (version or flow.version),
        Assignment.started_at.is_not(None)))


def not_started(flow, below=None):
    """How many assignments of ``flow`` wait, not started, on a version before ``below``
    (the current one unless said): those ``move_not_started`` would move."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(*_movable(flow, below)))


def branch(flow, wanted):
    """Make version ``flow.version + 1`` from ``wanted`` (``[(module or None, spec row)]``):
    a copy of each kept module with its quiz and files, a new module for each new one. Returns
    ``wanted`` with the new version's modules in it; the caller sets their fields."""
    flow.version += 1
    copies = []
    for position, (module, row) in enumerate(wanted, start=1):
        copy = Module(flow_id=flow.id, version=flow.version, position=position, title=row.title)
        if module is not None:
            copy.lineage_id = module.lineage_id
            copy.pass_mark, copy.requires_acknowledgement = module.pass_mark, module.requires_acknowledgement
        copies.append((copy, row, module))
    db.session.add_all(copy for copy, _, _ in copies)
    db.session.flush()
    _copy_questions([(module.id, copy.id) for copy, _, module in copies if module is not None and module.has_quiz])
    files.copy_to([(module.id, copy.id) for copy, _, module in copies if module is not None])
    return [(copy, row) for copy, row, _ in copies]


def _copy_questions(pairs):
    """Each quiz of ``[(module id, its copy's id)]`` onto the copy: two statements."""
    if not pairs:
        return
    copy_of = dict(pairs)
    questions = db.session.scalars(sa.select(QuizQuestion).where(QuizQuestion.module_id.in_(list(copy_of)))).all()
    db.session.add_all(QuizQuestion(module_id=copy_of[question.module_id], position=question.position,
                                    prompt=question.prompt, choices=question.choices) for question in questions)


def recount(flow):
    """The current version's modules changed in place (nobody had started it): its
    assignments' totals follow."""
    db.session.execute(sa.update(Assignment).where(Assignment.flow_id == flow.id,
                                                   Assignment.flow_version == flow.version)
                       .values(module_total=flow.module_count))


def move_not_started(flow, actor):
    """Move every open assignment of ``flow`` not yet started on an older version to the
    current one, with a line in each one's history; how many moved (two statements)."""
    now = utcnow()
    moved = db.session.execute(
        sa.update(Assignment).where(*_movable(flow))
        .values(flow_version=flow.version, module_total=flow.module_count)
        .returning(Assignment.id).execution_options(synchronize_session=False)).scalars().all()
    if moved:
        summary = f"Moved to version {flow.version} of the flow before starting"
        db.session.execute(sa.insert(AssignmentActivity), [
            history.line_row(assignment_id, MOVED, summary, {"version": flow.version}, now, actor_id=actor.id)
            for assignment_id in moved])
    return len(moved)


def _movable(flow, below=None):
    return (Assignment.flow_id == flow.id, Assignment.flow_version < (below or flow.version),
            Assignment.status == AssignmentStatus.ASSIGNED)


@dataclass
class VersionUse:
    """One version of a flow and the people on it (cancelled ones left out)."""

    version: int
    modules: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    current: bool = False
    titles: list = field(default_factory=list)

    @property
    def people(self):
        return self.not_started + self.in_progress + self.completed


def uses(flow):
    """Each version of ``flow`` that anyone walks, plus the current one, newest first (two queries)."""
    found = {flow.version: VersionUse(flow.version, current=True)}
    for version, status, count in db.session.execute(
            sa.select(Assignment.flow_version, Assignment.status, sa.func.count())
            .where(Assignment.flow_id == flow.id, Assignment.status != AssignmentStatus.CANCELLED)
            .group_by(Assignment.flow_version, Assignment.status)):
        use = found.setdefault(version, VersionUse(version))
        if status == AssignmentStatus.ASSIGNED:
            use.not_started += count
        elif status == AssignmentStatus.IN_PROGRESS:
            use.in_progress += count
        else:
            use.completed += count
    for version, title in db.session.execute(
            sa.select(Module.version, Module.title).where(Module.flow_id == flow.id, Module.version.in_(list(found)))
            .order_by(Module.version, Module.position)):
        found[version].modules += 1
        found[version].titles.append(title)
    return sorted(found.values(), key=lambda use: use.version, reverse=True)


def move_to_current(organization, flow_id, actor):
    """The flow page's "Move them": ``(flow, how many moved)``."""
    flow = access.find_flow(organization, flow_id, for_update=True)
    return flow, move_not_started(flow, actor)

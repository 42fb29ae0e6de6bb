"""Module quizzes and acknowledgements: what admins set, what assignees answer and confirm.

Authoring (``parse_quiz``, ``set_quiz``): a pass mark and up to ``MAX_QUESTIONS`` questions;
a question's choices are written one per line, the right ones starting with ``*`` (one right
choice: pick one; several: pick all of them). A module may also ask for "I have read and
understood" (``requires_acknowledgement``).

Answering (``submit_quiz``) is scored here, on the server: a question counts as right when
exactly its right choices were picked; the score is the share of questions right (per cent,
rounded down) and passes at the pass mark. Every attempt is kept (answers, score, time
taken); which choices are right is never sent to the browser. A module with a quiz or an
acknowledgement is done only once it is passed and confirmed (``requirements_left``, checked
by ``services.complete_module``).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from momoflow import fields
from momoflow.errors import Conflict
from momoflow.extensions import db
from momoflow.accounts.models import User
from momoflow.flows.access import can_name_a_row, find_flow, not_found
from momoflow.flows.schemas import iso
from momoflow.flows.models import (
    Acknowledgement,
    Module,
    QuizAttempt,
    QuizQuestion,
)

MAX_QUESTIONS = 30
MAX_PROMPT_LENGTH = 1000
MAX_CHOICE_LENGTH = 300
MIN_CHOICES, MAX_CHOICES = 2, 10
DEFAULT_PASS_MARK = 80
RIGHT_MARK = "*"

PASS_THE_QUIZ = "Pass the quiz to finish this module"
ACKNOWLEDGE_FIRST = "Confirm that you have read and understood this module to finish it"
ALREADY_PASSED = "You have already passed this quiz"
ALREADY_ACKNOWLEDGED = "You have already confirmed this module"
NOT_THE_CURRENT_MODULE = "This is not the module you are on"
TICK_TO_CONFIRM = "Tick the box to confirm that you have read and understood it"


def statement_for(module):
    return f"I have read and understood “{module.title}”."


# --- authoring -----------------------------------------------------------------------------


@dataclass
class QuestionSpec:
    prompt: str
    choices: list  # [(text, right)]


@dataclass
class QuizSpec:
    pass_mark: int | None  # None: no quiz
    requires_acknowledgement: bool
    questions: list = field(default_factory=list)


def parse_quiz(data):
    """A QuizSpec from ``{passMark, acknowledge, questions: [{prompt, choices}]}`` (choices as
    lines), or ValidationFailed naming every bad field. Rows left blank are ignored."""
    problems = fields.Problems()
    rows = data.get("questions") or []
    if not isinstance(rows, list):
        rows = []
        problems.add("questions", "questions must be a list")
    questions = []
    for index, row in enumerate(rows):
        question = _question(row if isinstance(row, dict) else {}, f"questions.{index}", problems)
        if question is not None:
            questions.append(question)
    if len(questions) > MAX_QUESTIONS:
        problems.add("questions", f"A quiz can have at most {MAX_QUESTIONS} questions")
    pass_mark = None
    if questions:
        raw = data.get("passMark")
        raw = str(DEFAULT_PASS_MARK) if raw in (None, "") else raw if isinstance(raw, str) else str(raw)
        pass_mark = fields.whole_number(raw, "passMark", problems, low=1, high=100, from_text=True,
                                        message="Enter a pass mark from 1 to 100 (per cent)")
    acknowledge = fields.flag(data.get("acknowledge"), "acknowledge", problems)
    problems.raise_if_any()
    return QuizSpec(pass_mark, bool(acknowledge), questions)


def _question(row, path, problems):
    prompt = fields.text(row.get("prompt"), f"{path}.prompt", problems, label="Question",
                         max_length=MAX_PROMPT_LENGTH, nul="Question must be text") or ""
    lines = fields.text(row.get("choices"), f"{path}.choices", problems, label="Choices",
                        max_length=MAX_CHOICES * (MAX_CHOICE_LENGTH + 3), nul="Choices must be text") or ""
    choices = [_choice(line) for line in lines.splitlines() if line.strip()]
    if not prompt.strip() and not choices:
        return None  # a blank row
    if not prompt.strip():
        problems.add(f"{path}.prompt", "Write the question")
    if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
        problems.add(f"{path}.choices", f"Give {MIN_CHOICES} to {MAX_CHOICES} choices, one per line")
    elif not any(right for _, right in choices):
        problems.add(f"{path}.choices", f"Mark the right answer with {RIGHT_MARK} at the start of its line")
    elif any(len(text) > MAX_CHOICE_LENGTH for text, _ in choices):
        problems.add(f"{path}.choices", f"Each choice must be at most {MAX_CHOICE_LENGTH} characters")
    elif all(right for _, right in choices):
        problems.add(f"{path}.choices", "At least one choice must be wrong")
    return QuestionSpec(prompt.strip(), choices)


def _choice(line):
    text = line.strip()
    right = text.startswith(RIGHT_MARK)
    return text.removeprefix(RIGHT_MARK).strip(), right


def choices_text(question):
    """A question's choices as the editor writes them (one per line, right ones marked)."""
    return "\n".join(f"{RIGHT_MARK} {c['text']}" if c["correct"] else c["text"] for c in question.choices)


def describe(module):
    """A module's quiz and sign-off in a few words (the flow editor)."""
    parts = [f"Quiz, pass mark {module.pass_mark}%"] if module.has_quiz else []
    if module.requires_acknowledgement:
        parts.append("people confirm they have read it")
    return " · ".join(parts) or "No quiz or sign-off"


def find_module(organization, flow_id, module_id, current=False):
    """The organisation's flow and its module with public id ``module_id`` (with
    ``current``: only in the version new assignments get, the one that can be changed)."""
    flow = find_flow(organization, flow_id)
    conditions = [Module.flow_id == flow.id, Module.public_id == module_id]
    if current:
        conditions.append(Module.version == flow.version)
    module = db.session.scalar(sa.select(Module).where(*conditions)) if can_name_a_row(module_id) else None
    if module is None:
        raise not_found("Module", module_id)
    return flow, module


def questions_of(module):
    return db.session.scalars(sa.select(QuizQuestion).where(QuizQuestion.module_id == module.id)
                              .order_by(QuizQuestion.position)).all()


def set_quiz(module, spec):
    """Replace ``module``'s quiz and acknowledgement with ``spec``. Questions keep their ids by
    place, so results per question carry on when a question is reworded."""
    existing = questions_of(module)
    for position, question in enumerate(spec.questions, start=1):
        choices = [{"id": f"c{number}", "text": text, "correct": right}
                   for number, (text, right) in enumerate(question.choices, start=1)]
        if position <= len(existing):
            existing[position - 1].prompt, existing[position - 1].choices = question.prompt, choices
        else:
            db.session.add(QuizQuestion(module_id=module.id, position=position, prompt=question.prompt,
                                        choices=choices))
    for extra in existing[len(spec.questions):]:
        db.session.delete(extra)
    module.pass_mark = spec.pass_mark
    module.requires_acknowledgement = spec.requires_acknowledgement
    return module


# --- answering -----------------------------------------------------------------------------


@dataclass
class ModuleChecks:
    """Where an assignee stands with a module's quiz and acknowledgement."""

    module: Module
    questions: list
    attempts: list  # newest first
    acknowledgement: Acknowledgement | None

    @property
    def passed(self):
        return next((attempt for attempt in self.attempts if attempt.passed), None)

    @property
    def last(self):
        return self.attempts[0] if self.attempts else None

    @property
    def left(self):
        """What still stands between the module and done, as sentences."""
        left = []
        if self.module.has_quiz and self.passed is None:
            left.append(PASS_THE_QUIZ)
        if self.module.requires_acknowledgement and self.acknowledgement is None:
            left.append(ACKNOWLEDGE_FIRST)
        return left


def checks_for(assignment, module):
    """The module's quiz and sign-off state for ``assignment`` (nothing read if it has neither)."""
    if not module.has_quiz and not module.requires_acknowledgement:
        return ModuleChecks(module, [], [], None)
    questions = questions_of(module) if module.has_quiz else []
    attempts = db.session.scalars(sa.select(QuizAttempt).where(
        QuizAttempt.assignment_id == assignment.id, QuizAttempt.module_id == module.id)
        .order_by(QuizAttempt.submitted_at.desc())).all() if module.has_quiz else []
    acknowledgement = db.session.get(Acknowledgement, (assignment.id, module.id)) \
        if module.requires_acknowledgement else None
    return ModuleChecks(module, list(questions), list(attempts), acknowledgement)


def requirements_left(assignment, module):
    return checks_for(assignment, module).left


def _current_module(user, assignment_id, module_id):
    """``user``'s assignment (in progress from now on) and its current module, ``module_id``."""
    from momoflow.flows.services import start_assignment

    assignment = start_assignment(user, assignment_id)
    module = db.session.scalar(sa.select(Module).where(
        Module.flow_id == assignment.flow_id, Module.version == assignment.flow_version,
        Module.position == assignment.modules_completed + 1))
    if module is None or str(module.id) != str(module_id):
        raise Conflict(NOT_THE_CURRENT_MODULE)
    return assignment, module


def submit_quiz(user, assignment_id, module_id, answers, started_at=None, now=None):
    """Score ``answers`` (``{question id: [choice ids]}``) for the current module's quiz and
    keep the attempt. Unknown questions and choices count as not picked."""
    assignment, module = _current_module(user, assignment_id, module_id)
    checks = checks_for(assignment, module)
    if not module.has_quiz:
        raise Conflict("This module has no quiz")
    if checks.passed is not None:
        raise Conflict(ALREADY_PASSED)
    given, right = {}, 0
    for question in checks.questions:
        known = {choice["id"] for choice in question.choices}
        picked = sorted(set(answers.get(str(question.id), ())) & known)
        given[str(question.id)] = picked
        right += picked == sorted(choice["id"] for choice in question.choices if choice["correct"])
    total = len(checks.questions)
    score = 100 * right // total if total else 0
    attempt = QuizAttempt(assignment_id=assignment.id, module_id=module.id, user_id=user.id, answers=given,
                          correct=right, total=total, score=score, passed=score >= module.pass_mark,
                          started_at=started_at, **({"submitted_at": now} if now else {}))
    db.session.add(attempt)
    return assignment, attempt


def acknowledge(user, assignment_id, module_id, agreed):
    """``user`` confirms they have read and understood the current module."""
    assignment, module = _current_module(user, assignment_id, module_id)
    if not module.requires_acknowledgement:
        raise Conflict("This module asks for no confirmation")
    if db.session.get(Acknowledgement, (assignment.id, module.id)) is not None:
        raise Conflict(ALREADY_ACKNOWLEDGED)
    if not agreed:
        raise Conflict(TICK_TO_CONFIRM)
    acknowledgement = Acknowledgement(assignment_id=assignment.id, module_id=module.id, user_id=user.id,
                                      name=user.display_name, statement=statement_for(module))
    db.session.add(acknowledgement)
    return assignment, acknowledgement



# --- results (admins) ----------------------------------------------------------------------


@dataclass
class PersonResult:
    name: str
    email: str
    attempts: int
    best: int
    passed_at: object
    last_at: object
    seconds: int | None  # time taken on the last attempt
    version: int  # of the flow, which the person walks


@dataclass
class QuestionResult:
    position: int
    prompt: str
    answered: int  # attempts that answered it
    right: int

    @property
    def share(self):
        return round(100 * self.right / self.answered) if self.answered else None


@dataclass
class Results:
    people: list
    questions: list
    acknowledgements: list
    several_versions: bool = False  # the module is in more than one version of the flow


def results(module):
    """Per person (attempts, best score, when passed) and per question (how often answered
    right, over every attempt), and who confirmed: a module's results page. Every version
    of the module counts (``Module.lineage_id``); a question is matched by its place."""
    versions = _versions_of(module)
    attempts = db.session.execute(
        sa.select(QuizAttempt, User.display_name, User.email).join(User, User.id == QuizAttempt.user_id)
        .where(QuizAttempt.module_id.in_(list(versions))).order_by(QuizAttempt.submitted_at)).all()
    per_person = {}
    for attempt, name, email in attempts:
        result = per_person.setdefault(attempt.assignment_id, PersonResult(
            name, email, 0, 0, None, None, None, versions[attempt.module_id]))
        result.attempts += 1
        result.best = max(result.best, attempt.score)
        result.passed_at = result.passed_at or (attempt.submitted_at if attempt.passed else None)
        result.last_at, result.seconds = attempt.submitted_at, attempt.seconds
    questions = [QuestionResult(question.position, question.prompt, 0, 0) for question in questions_of(module)]
    rights = {str(question.id): (question.position, sorted(c["id"] for c in question.choices if c["correct"]))
              for question in db.session.scalars(sa.select(QuizQuestion)
                                                 .where(QuizQuestion.module_id.in_(list(versions))))}
    for attempt, _, _ in attempts:
        for question_id, picked in attempt.answers.items():
            position, right = rights.get(question_id, (0, None))
            if 0 < position <= len(questions):
                questions[position - 1].answered += 1
                questions[position - 1].right += sorted(picked) == right
    people = sorted(per_person.values(), key=lambda result: (result.passed_at is None, result.name.casefold()))
    return Results(people, questions, acknowledgements(module), several_versions=len(set(versions.values())) > 1)


def _versions_of(module):
    """``{module id: flow version}`` of every version of ``module``."""
    return dict(db.session.execute(sa.select(Module.id, Module.version)
                                   .where(Module.lineage_id == module.lineage_id)).all())


def acknowledgements(module):
    """Who confirmed ``module`` in any version, in order, with the words they agreed to."""
    return db.session.execute(
        sa.select(Acknowledgement.name, User.email, Acknowledgement.statement, Acknowledgement.acknowledged_at,
                  Module.version)
        .join(User, User.id == Acknowledgement.user_id).join(Module, Module.id == Acknowledgement.module_id)
        .where(Module.lineage_id == module.lineage_id).order_by(Acknowledgement.acknowledged_at)).all()


# --- for the API ----------------------------------------------------------------------------


@dataclass
class Outcome:
    attempts: int = 0
    best: int | None = None
    passed_at: object = None
    acknowledged_at: object = None


def outcomes(assignment_ids, modules):
    """``{assignment id: {module id: Outcome}}`` for these assignments of a flow with
    ``modules``: a grouped query for quizzes and one for sign-offs, each only if the flow has any."""
    found = {assignment_id: {} for assignment_id in assignment_ids}
    if not found:
        return found
    if any(module.has_quiz for module in modules):
        _add_attempts(found)
    if any(module.requires_acknowledgement for module in modules):
        _add_acknowledgements(found)
    return found


def _add_attempts(found):
    for assignment_id, module_id, attempts, best, passed_at in db.session.execute(
            sa.select(QuizAttempt.assignment_id, QuizAttempt.module_id, sa.func.count(), sa.func.max(QuizAttempt.score),
                      sa.func.min(QuizAttempt.submitted_at).filter(QuizAttempt.passed.is_(True)))
            .where(QuizAttempt.assignment_id.in_(list(found)))
            .group_by(QuizAttempt.assignment_id, QuizAttempt.module_id)):
        found[assignment_id][module_id] = Outcome(attempts, best, passed_at)


def _add_acknowledgements(found):
    for assignment_id, module_id, moment in db.session.execute(
            sa.select(Acknowledgement.assignment_id, Acknowledgement.module_id, Acknowledgement.acknowledged_at)
            .where(Acknowledgement.assignment_id.in_(list(found)))):
        found[assignment_id].setdefault(module_id, Outcome()).acknowledged_at = moment


def outcome_json(module, outcome):
    """A module's quiz and sign-off fields in the API's module progress (only those it has)."""
    outcome = outcome or Outcome()
    entry = {}
    if module.has_quiz:
        entry["quiz"] = {"passMark": module.pass_mark, "attempts": outcome.attempts, "bestScore": outcome.best,
                         "passed": outcome.passed_at is not None, "passedAt": iso(outcome.passed_at)}
    if module.requires_acknowledgement:
        entry["acknowledgedAt"] = iso(outcome.acknowledged_at)
    return entry

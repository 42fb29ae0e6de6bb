"""Module quizzes and "read and understood" sign-off: the editor, scoring on the server only,
modules done only once passed and confirmed, results per person and per question."""

import csv
import io
import re

import pytest

from momoflow.errors import ValidationFailed
from momoflow.flows import quizzes
from momoflow.flows.models import Acknowledgement, Assignment, AssignmentStatus, Module, QuizAttempt, QuizQuestion
from tests.flows.pages import ADMIN, EMPLOYEE, HR, assign, error_of, fresh, post
from tests.platform.conftest import document  # noqa: F401  (fixture)
from tests.platform.openapi_checks import conformance

QUIZ_FORM = {
    "pass_mark": "60", "acknowledge": "yes",
    "question_prompt": ["Who do you call first?", "Which are our values?", ""],
    "question_choices": ["* The customer\nYour manager\nNobody", "* Honesty\n* Care\nSpeed at any cost", ""],
}


def first_module(db, assignment):
    return db.session.scalar(db.select(Module).where(Module.flow_id == assignment.flow_id, Module.position == 1))


def quiz_url(module):
    return f"/flows/flow_123abc/modules/{module.public_id}/quiz"


def set_up_quiz(client, demo, login_as, db, form=QUIZ_FORM):
    login_as(demo[ADMIN])
    module = db.session.scalar(db.select(Module).join(Module.flow).where(Module.position == 1,
                                                                           Module.flow.has(public_id="flow_123abc")))
    response = post(client, quiz_url(module), form, token=None)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return module


def started(client, demo, login_as, db, email):
    """``email``'s new assignment of flow_123abc, started, signed in as them: ``(assignment, page url)``."""
    assignment = assign(demo, email)
    db.session.commit()
    login_as(demo[email])
    url = f"/my-flows/{assignment.public_id}"
    post(client, f"{url}/start", htmx=True)
    return assignment, url


def answers_for(db, module, picks):
    """The quiz form's fields picking choices by their text, per question in order."""
    questions = db.session.scalars(db.select(QuizQuestion).where(QuizQuestion.module_id == module.id)
                                   .order_by(QuizQuestion.position)).all()
    form = {}
    for question, texts in zip(questions, picks):
        form[f"answer-{question.id}"] = [c["id"] for c in question.choices if c["text"] in texts]
    return form


# --- authoring -----------------------------------------------------------------------------


def test_the_editor_saves_questions_pass_mark_and_sign_off(client, demo, login_as, db):
    module = set_up_quiz(client, demo, login_as, db)
    db.session.expire_all()
    module = db.session.get(Module, module.id)
    assert (module.pass_mark, module.requires_acknowledgement) == (60, True)
    questions = quizzes.questions_of(module)
    assert [(q.prompt, q.multiple, [(c["text"], c["correct"]) for c in q.choices]) for q in questions] == [
        ("Who do you call first?", False, [("The customer", True), ("Your manager", False), ("Nobody", False)]),
        ("Which are our values?", True, [("Honesty", True), ("Care", True), ("Speed at any cost", False)])]
    page = client.get(quiz_url(module)).get_data(as_text=True)
    assert "* The customer\nYour manager\nNobody" in page and 'value="60"' in page
    editor = client.get("/flows/flow_123abc/edit").get_data(as_text=True)
    assert "Quiz, pass mark 60% · people confirm they have read it" in editor

    # Rewording keeps the questions' ids (results carry on); removing one deletes it.
    again = dict(QUIZ_FORM, question_prompt=["Who do you ring first?"], question_choices=["* The customer\nNobody"])
    assert post(client, quiz_url(module), again).status_code == 303
    db.session.expire_all()
    assert [(q.id, q.prompt) for q in quizzes.questions_of(module)] == [(questions[0].id, "Who do you ring first?")]


@pytest.mark.parametrize("changes, key, message", [
    ({"question_choices": ["The customer\nNobody", ""]}, "question-r0-choices",
     "Mark the right answer with * at the start of its line"),
    ({"question_choices": ["* Only one", ""]}, "question-r0-choices", "Give 2 to 10 choices, one per line"),
    ({"question_choices": ["* A\n* B", ""]}, "question-r0-choices", "At least one choice must be wrong"),
    ({"question_prompt": ["", ""], "question_choices": ["* A\nB", ""]}, "question-r0-prompt", "Write the question"),
    ({"pass_mark": "101"}, "pass-mark", "Enter a pass mark from 1 to 100 (per cent)"),
    ({"pass_mark": "9" * 400}, "pass-mark", "Enter a pass mark from 1 to 100 (per cent)"),
])
def test_the_editor_names_each_mistake_in_place(client, demo, login_as, db, changes, key, message):
    login_as(demo[ADMIN])
    module = db.session.scalar(db.select(Module).where(Module.public_id.isnot(None), Module.position == 1)
                               .join(Module.flow).where(Module.flow.has(public_id="flow_123abc")))
    form = {**QUIZ_FORM, "question_prompt": ["Q?", ""], "question_choices": ["* A\nB", ""], **changes}
    response = post(client, quiz_url(module), form, token=None)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, key) == message and 'id="error-summary"' in html
    assert db.session.get(Module, module.id).pass_mark is None  # nothing saved


def test_parse_quiz_refuses_hostile_json():
    with pytest.raises(ValidationFailed) as refused:
        quizzes.parse_quiz({"questions": [{"prompt": ["x"], "choices": 5}], "passMark": 10 ** 400,
                            "acknowledge": "yes"})
    paths = {path for path, _ in refused.value.problems}
    assert {"questions.0.prompt", "questions.0.choices", "acknowledge"} <= paths
    with pytest.raises(ValidationFailed, match="questions must be a list"):
        quizzes.parse_quiz({"questions": "nope"})


def test_only_admins_of_the_organisation_edit_quizzes(client, demo, login_as, db):
    module = db.session.scalar(db.select(Module).join(Module.flow).where(
        Module.flow.has(public_id="flow_123abc"), Module.position == 1))
    login_as(demo[EMPLOYEE])
    assert client.get(quiz_url(module)).status_code == 403
    assert post(client, quiz_url(module), QUIZ_FORM).status_code == 403
    login_as(demo[ADMIN])
    assert client.get("/flows/flow_123abc/modules/mod_nope/quiz").status_code == 404
    assert client.get(f"/flows/flow_sec101/modules/{module.public_id}/quiz").status_code == 404  # another flow's


# --- answering ------------------------------------------------------------------------------


def test_fail_then_pass_then_confirm_then_done(client, demo, login_as, db):
    module = set_up_quiz(client, demo, login_as, db)
    assignment, url = started(client, demo, login_as, db, EMPLOYEE)
    page = client.get(url).get_data(as_text=True)
    assert "Who do you call first?" in page and "(choose all that apply)" in page
    assert "correct" not in page and "* The customer" not in page  # the answers stay on the server
    assert "Pass the quiz to finish this module" in page and f"/modules/{module.id}/done" not in page
    token = re.search(r'name="shown_at" value="([^"]+)"', page).group(1)

    refused = post(client, f"{url}/modules/{module.id}/done", htmx=True)
    assert refused.status_code == 409 and "Pass the quiz to finish this module" in refused.get_data(as_text=True)

    wrong = answers_for(db, module, [["Nobody"], ["Honesty"]])
    failed = post(client, f"{url}/modules/{module.id}/quiz", {**wrong, "shown_at": token}, htmx=True)
    html = failed.get_data(as_text=True)
    assert failed.status_code == 200 and "Not passed: 0% (0 of 2 right); you need 60%." in html
    assert "Not passed this time: 0%. You can try again." in html

    half = answers_for(db, module, [["The customer"], ["Honesty", "Speed at any cost"]])
    assert "Not passed: 50% (1 of 2 right)" in post(client, f"{url}/modules/{module.id}/quiz", half,
                                                     htmx=True).get_data(as_text=True)
    right = answers_for(db, module, [["The customer"], ["Honesty", "Care"]])
    passed = post(client, f"{url}/modules/{module.id}/quiz", right, htmx=True).get_data(as_text=True)
    assert "Passed with 100% (2 of 2 right), after 3 attempts." in passed and "Quiz passed with 100%." in passed
    assert "Confirm that you have read and understood this module to finish it" in passed
    again = post(client, f"{url}/modules/{module.id}/quiz", right, htmx=True)
    assert again.status_code == 409 and "You have already passed this quiz" in again.get_data(as_text=True)

    unticked = post(client, f"{url}/modules/{module.id}/acknowledge", {}, htmx=True)
    assert unticked.status_code == 409 and quizzes.TICK_TO_CONFIRM in unticked.get_data(as_text=True)
    confirmed = post(client, f"{url}/modules/{module.id}/acknowledge", {"agree": "yes"}, htmx=True)
    html = confirmed.get_data(as_text=True)
    assert "I have read and understood “Welcome to the team”." in html and "Priya Sharma" in html
    assert f"/modules/{module.id}/done" in html
    assert post(client, f"{url}/modules/{module.id}/done", htmx=True).status_code == 200
    assert fresh(db, Assignment, assignment.id).modules_completed == 1

    attempts = db.session.scalars(db.select(QuizAttempt).order_by(QuizAttempt.submitted_at)).all()
    assert [(a.score, a.passed, a.correct, a.total) for a in attempts] == [(0, False, 0, 2), (50, False, 1, 2),
                                                                          (100, True, 2, 2)]
    assert attempts[0].started_at is not None and attempts[0].seconds >= 0 and attempts[1].started_at is None
    ack = db.session.scalar(db.select(Acknowledgement))
    assert (ack.name, ack.statement) == ("Priya Sharma", "I have read and understood “Welcome to the team”.")


def test_only_the_current_module_and_only_ones_own(client, demo, login_as, db):
    module = set_up_quiz(client, demo, login_as, db)
    assignment = assign(demo, EMPLOYEE)
    db.session.commit()
    second = db.session.scalar(db.select(Module).where(Module.flow_id == module.flow_id, Module.position == 2))
    login_as(demo[HR])  # not theirs: 404
    url = f"/my-flows/{assignment.public_id}"
    assert post(client, f"{url}/modules/{module.id}/quiz", {}, htmx=True).status_code == 404
    login_as(demo[EMPLOYEE])
    skipped = post(client, f"{url}/modules/{second.id}/acknowledge", {"agree": "yes"}, htmx=True)
    assert skipped.status_code == 409 and "This is not the module you are on" in skipped.get_data(as_text=True)
    assert client.post(f"{url}/modules/{module.id}/quiz", data={}).status_code == 400  # no CSRF token


# --- results --------------------------------------------------------------------------------


def test_results_per_person_and_per_question_and_the_confirmations_csv(client, demo, login_as, db):
    module = set_up_quiz(client, demo, login_as, db)
    for email, picks in ((EMPLOYEE, [["The customer"], ["Honesty"]]), (HR, [["The customer"], ["Honesty", "Care"]])):
        _, url = started(client, demo, login_as, db, email)
        post(client, f"{url}/modules/{module.id}/quiz", answers_for(db, module, picks), htmx=True)
        post(client, f"{url}/modules/{module.id}/acknowledge", {"agree": "yes"}, htmx=True)
    login_as(demo[ADMIN])
    page = client.get(f"/flows/flow_123abc/modules/{module.public_id}/results").get_data(as_text=True)
    people = re.findall(r'<th scope="row" data-label="Person">([^<]+) <span', page)
    assert people[:2] == ["Meera Nair", "Priya Sharma"]  # who passed first
    assert re.search(r"Who do you call first\?</th>\s*<td[^>]*>2</td>\s*<td[^>]*>2</td>\s*<td[^>]*>100%", page)
    assert re.search(r"Which are our values\?</th>\s*<td[^>]*>2</td>\s*<td[^>]*>1</td>\s*<td[^>]*>50%", page)
    download = client.get(f"/flows/flow_123abc/modules/{module.public_id}/acknowledgements.csv")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Email", "Statement", "Acknowledged at (UTC)", "Flow version"] and len(rows) == 3
    assert rows[1][2] == "I have read and understood “Welcome to the team”."
    login_as(demo[EMPLOYEE])
    assert client.get(f"/flows/flow_123abc/modules/{module.public_id}/results").status_code == 403


def test_a_completed_assignment_keeps_its_quiz_result_readable(client, demo, login_as, db):
    module = set_up_quiz(client, demo, login_as, db, form={**QUIZ_FORM, "acknowledge": ""})
    assignment, url = started(client, demo, login_as, db, EMPLOYEE)
    post(client, f"{url}/modules/{module.id}/quiz", answers_for(db, module, [["The customer"], ["Honesty", "Care"]]),
         htmx=True)
    assert post(client, f"{url}/modules/{module.id}/done", htmx=True).status_code == 200
    earlier = client.get(f"{url}?module=1").get_data(as_text=True)
    assert "Passed with 100% (2 of 2 right)." in earlier and "Submit answers" not in earlier
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.IN_PROGRESS


# --- the API ---------------------------------------------------------------------------------


def test_the_api_shows_quiz_scores_and_sign_offs(client, demo, login_as, db, integrator, document):
    module = set_up_quiz(client, demo, login_as, db)
    assignment, url = started(client, demo, login_as, db, EMPLOYEE)
    for picks in ([["Nobody"], ["Care"]], [["The customer"], ["Honesty", "Care"]]):
        post(client, f"{url}/modules/{module.id}/quiz", answers_for(db, module, picks), htmx=True)
    passed_at = db.session.scalar(db.select(QuizAttempt.submitted_at).where(QuizAttempt.passed.is_(True)))

    one = integrator.get(f"/assignments/{assignment.public_id}").get_json()
    assert conformance(document, one, {"$ref": "#/components/schemas/AssignmentDetail"}) == []
    first, second = one["moduleProgress"][:2]
    assert first["moduleId"] == module.public_id and first["status"] == "in_progress"
    assert first["quiz"] == {"passMark": 60, "attempts": 2, "bestScore": 100, "passed": True,
                             "passedAt": passed_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert first["acknowledgedAt"] is None and "quiz" not in second and "acknowledgedAt" not in second

    post(client, f"{url}/modules/{module.id}/acknowledge", {"agree": "yes"}, htmx=True)
    report = integrator.post("/flows/report", json={"flowId": "flow_123abc", "detailed": True}).get_json()
    entry = next(e for e in report["assignments"] if e["assignmentId"] == assignment.public_id)
    assert entry["moduleProgress"][0]["quiz"]["bestScore"] == 100
    assert entry["moduleProgress"][0]["acknowledgedAt"].endswith("Z")

"""Flow versions: adding, removing or reordering modules once someone has started makes a
new version; people who started keep theirs (progress, quiz and sign-off included), new
assignments get the latest, and the admin moves the ones who have not started."""

import csv
import io

import pytest
import sqlalchemy as sa

from momoflow.flows import progress, quizzes, services, versions
from momoflow.flows.models import (
    Acknowledgement, Assignment, AssignmentActivity, AssignmentStatus, Flow, Module, ModuleProgress, QuizQuestion)
from tests.flows.pages import ADMIN, EMPLOYEE, HR, MANAGER, assign, error_of, fresh, post
from tests.flows.test_pages import flow_form

FLOW = "flow_123abc"
EDIT = f"/flows/{FLOW}/edit"


def modules_of(db, flow_id=FLOW, version=None):
    flow = db.session.scalar(sa.select(Flow).where(Flow.public_id == flow_id)
                             .execution_options(populate_existing=True))  # the pages changed it
    return db.session.scalars(sa.select(Module).where(Module.flow_id == flow.id,
                                                      Module.version == (version or flow.version))
                              .order_by(Module.position)).all()


def form_of(modules, order=None, version=None, **extra):
    """The edit form for these modules, in ``order`` (indexes), as the editor posts it."""
    order = range(len(modules)) if order is None else order
    rows = [(modules[i].title, modules[i].content, str(modules[i].estimated_minutes)) for i in order]
    form = flow_form("Customer Onboarding", rows, [str(modules[i].id) for i in order])
    if version is not None:
        form["version"] = str(version)
    return {**form, **extra}


@pytest.fixture
def part_way(demo, db):
    """The employee has done module 1 of flow_123abc (version 1); HR has it, not started."""
    first = modules_of(db)
    started = assign(demo, EMPLOYEE)
    services.complete_module(demo[EMPLOYEE], started.public_id, first[0].id)
    waiting = assign(demo, HR)
    db.session.flush()
    return started, waiting, first


def test_rewording_reaches_people_part_way_without_a_new_version(client, demo, login_as, db, part_way):
    started, _, first = part_way
    login_as(demo[ADMIN])
    form = form_of(first, version=1)
    form["module_title"][0], form["module_content"][0] = "Welcome aboard", "Reworded."
    assert post(client, EDIT, form).status_code == 303
    assert fresh(db, Flow, started.flow_id).version == 1
    assert fresh(db, Module, first[0].id).title == "Welcome aboard"
    assert db.session.get(ModuleProgress, (started.id, first[0].id)) is not None


def test_reordering_under_someone_part_way_makes_version_2_and_they_keep_version_1(client, demo, login_as, db,
                                                                                   part_way):
    started, waiting, first = part_way
    login_as(demo[ADMIN])
    page = client.get(EDIT).get_data(as_text=True)
    assert "1 person has started version 1 of this flow." in page and "saving makes <strong>version 2</strong>" in page
    assert 'name="move_not_started" value="yes" checked' in page and "Also move the 1 person who hasn’t started" in page

    order = [1, 0, *range(2, len(first))]  # swap the first two, add one at the end
    form = form_of(first, order, version=1, move_not_started="yes")
    for field, value in (("module_id", ""), ("module_title", "Security basics"), ("module_content", "New."),
                         ("module_minutes", "10")):
        form[field].append(value)
    response = post(client, EDIT, form)
    assert response.status_code == 303
    flow = fresh(db, Flow, started.flow_id)
    assert (flow.version, flow.module_count) == (2, len(first) + 1)
    assert "as version 2: people who had started keep version 1" in client.get("/flows/manage").get_data(
        as_text=True)

    # Version 1 is untouched: the person part-way keeps its modules, order and progress.
    assert [m.id for m in modules_of(db, version=1)] == [m.id for m in first]
    started = fresh(db, Assignment, started.id)
    assert (started.flow_version, started.module_total, started.modules_completed) == (1, len(first), 1)
    walk = progress.walkthrough(demo[EMPLOYEE], started.public_id)
    assert [m.id for m in walk.modules] == [m.id for m in first] and walk.current.id == first[1].id
    services.complete_module(demo[EMPLOYEE], started.public_id, first[1].id)  # their next module, by their version
    assert fresh(db, Assignment, started.id).modules_completed == 2

    # Version 2: copies in the new order, with new ids; the one who had not started moved to it.
    second = modules_of(db)
    assert [m.title for m in second] == [first[1].title, first[0].title, *(m.title for m in first[2:]),
                                         "Security basics"]
    assert not {m.id for m in second} & {m.id for m in first}
    assert second[0].lineage_id == first[1].lineage_id and second[-1].lineage_id == second[-1].id
    waiting = fresh(db, Assignment, waiting.id)
    assert (waiting.flow_version, waiting.module_total) == (2, len(first) + 1)
    [line] = db.session.scalars(sa.select(AssignmentActivity).where(AssignmentActivity.assignment_id == waiting.id))
    assert line.summary == "Moved to version 2 of the flow before starting" and line.actor_id == demo[ADMIN].id

    # New assignments get version 2, whichever way they are made.
    new = assign(demo, MANAGER)
    assert (new.flow_version, new.module_total) == (2, len(first) + 1)
    assert progress.percent_done(fresh(db, Assignment, started.id)) == round(100 * 2 / len(first))


def test_not_moving_the_ones_who_have_not_started_then_moving_them_from_the_versions_table(client, demo, login_as,
                                                                                          db, part_way):
    started, waiting, first = part_way
    login_as(demo[ADMIN])
    form = form_of(first, list(range(len(first)))[::-1], version=1)  # no move_not_started: unticked
    assert post(client, EDIT, form).status_code == 303
    assert fresh(db, Assignment, waiting.id).flow_version == 1

    page = client.get(EDIT).get_data(as_text=True)
    assert 'id="versions"' in page and "Version 2" in page and "Current" in page
    table = page[page.index('id="version-table"'):page.index("</table>", page.index('id="version-table"'))]
    assert table.count("<tr>") == 3  # heading, version 2, version 1
    assert "Move the 1 person who hasn’t started to version 2" in page

    assert post(client, f"/flows/{FLOW}/versions/move").status_code == 303
    waiting = fresh(db, Assignment, waiting.id)
    assert (waiting.flow_version, waiting.module_total) == (2, len(first))
    assert fresh(db, Assignment, started.id).flow_version == 1  # started: never moved
    assert "1 person moved to version 2 of Customer Onboarding" in client.get(EDIT).get_data(as_text=True)
    assert post(client, f"/flows/{FLOW}/versions/move").status_code == 303
    assert "already on the current version" in client.get(EDIT).get_data(as_text=True)


def test_only_admins_move_people_between_versions(client, demo, login_as, db, part_way):
    login_as(demo[MANAGER])
    assert post(client, f"/flows/{FLOW}/versions/move").status_code == 403
    login_as(demo[ADMIN])
    assert client.post(f"/flows/{FLOW}/versions/move").status_code == 400  # no CSRF token


def test_restructuring_before_anyone_started_changes_the_version_in_place(client, demo, login_as, db):
    first = modules_of(db)
    waiting = assign(demo, HR)
    login_as(demo[ADMIN])
    page = client.get(EDIT).get_data(as_text=True)
    assert 'id="version-note"' not in page and 'id="versions"' not in page
    assert post(client, EDIT, form_of(first, [0, 1], version=1)).status_code == 303  # drop all but two
    assert fresh(db, Flow, waiting.flow_id).version == 1
    assert [m.id for m in modules_of(db)] == [first[0].id, first[1].id]
    assert fresh(db, Assignment, waiting.id).module_total == 2  # their total follows


def test_a_later_version_nobody_started_changes_in_place_too(client, demo, login_as, db, part_way):
    _, _, first = part_way
    login_as(demo[ADMIN])
    assert post(client, EDIT, form_of(first, [1, 0], version=1)).status_code == 303  # version 2
    second = modules_of(db)
    form = form_of(second, [1], version=2)
    for field, value in (("module_id", ""), ("module_title", "Added"), ("module_content", ""), ("module_minutes", "5")):
        form[field].append(value)
    assert post(client, EDIT, form).status_code == 303
    assert fresh(db, Flow, first[0].flow_id).version == 2
    assert [(m.title, m.version) for m in modules_of(db)] == [(first[0].title, 2), ("Added", 2)]
    assert [m.id for m in modules_of(db, version=1)] == [m.id for m in first]


def test_a_form_opened_before_a_new_version_is_refused(client, demo, login_as, db, part_way):
    _, _, first = part_way
    login_as(demo[ADMIN])
    assert post(client, EDIT, form_of(first, list(range(len(first)))[::-1], version=1)).status_code == 303
    stale = post(client, EDIT, form_of(first, list(range(len(first)))[::-1], version=1))
    assert stale.status_code == 422
    assert error_of(stale.get_data(as_text=True), "modules").startswith(
        "Someone saved a new version of this flow (version 2) since this page was opened.")
    assert fresh(db, Flow, first[0].flow_id).version == 2  # not 3
    for bad in ("0", "x", "9" * 40, "1\x00"):
        response = post(client, EDIT, form_of(first, version=bad))
        assert response.status_code == 422, bad


def test_quizzes_are_copied_and_results_and_sign_offs_span_versions(client, demo, login_as, db, part_way):
    started, _, first = part_way
    login_as(demo[ADMIN])
    second_module = first[1]
    quiz = {"pass_mark": "100", "acknowledge": "yes", "question_prompt": ["Who first?"],
            "question_choices": ["* The customer\nNobody"]}
    assert post(client, f"/flows/{FLOW}/modules/{second_module.public_id}/quiz", quiz).status_code == 303
    db.session.expire_all()
    # The employee passes and signs version 1's quiz.
    [question] = quizzes.questions_of(second_module)
    right = [c["id"] for c in question.choices if c["correct"]]
    quizzes.submit_quiz(demo[EMPLOYEE], started.public_id, second_module.id, {str(question.id): right})
    quizzes.acknowledge(demo[EMPLOYEE], started.public_id, second_module.id, True)
    db.session.flush()

    assert post(client, EDIT, form_of(first, list(range(len(first)))[::-1], version=1)).status_code == 303
    copy = next(m for m in modules_of(db) if m.lineage_id == second_module.lineage_id)
    assert (copy.pass_mark, copy.requires_acknowledgement, copy.version) == (100, True, 2)
    [copied] = db.session.scalars(sa.select(QuizQuestion).where(QuizQuestion.module_id == copy.id))
    assert copied.id != question.id and (copied.prompt, copied.choices) == (question.prompt, question.choices)
    # Old version's quiz is read-only; the results of either show everyone's.
    assert client.get(f"/flows/{FLOW}/modules/{second_module.public_id}/quiz").status_code == 404
    assert client.get(f"/flows/{FLOW}/modules/{copy.public_id}/quiz").status_code == 200
    newcomer = assign(demo, MANAGER)
    services.start_assignment(demo[MANAGER], newcomer.public_id)
    for module in modules_of(db)[:modules_of(db).index(copy)]:
        services.complete_module(demo[MANAGER], newcomer.public_id, module.id)
    quizzes.submit_quiz(demo[MANAGER], newcomer.public_id, copy.id, {str(copied.id): []})
    db.session.flush()
    results = quizzes.results(copy)
    assert results.several_versions
    assert sorted((p.email, p.version, p.best) for p in results.people) == [(EMPLOYEE, 1, 100), (MANAGER, 2, 0)]
    assert [(q.answered, q.right) for q in results.questions] == [(2, 1)]
    page = client.get(f"/flows/{FLOW}/modules/{copy.public_id}/results").get_data(as_text=True)
    assert "(version 2; people on every version of this module count)" in page
    csv_text = client.get(f"/flows/{FLOW}/modules/{copy.public_id}/acknowledgements.csv").get_data(as_text=True)
    header, row = list(csv.reader(io.StringIO(csv_text)))
    assert header[-1] == "Flow version" and row[1] == EMPLOYEE and row[-1] == "1"


def test_the_api_and_the_report_show_each_persons_version(client, demo, login_as, db, part_way, integrator):
    started, _, first = part_way
    login_as(demo[ADMIN])
    assert post(client, EDIT, form_of(first, list(range(len(first)))[::-1], version=1)).status_code == 303
    new = integrator.post("/flows/assign", json={"flowId": FLOW, "userEmail": MANAGER}).get_json()
    detail = integrator.get(f"/assignments/{new['assignmentId']}").get_json()
    assert (detail["flowVersion"], detail["progress"]["totalModules"]) == (2, len(first))
    assert [m["moduleName"] for m in detail["moduleProgress"]] == [m.title for m in first[::-1]]
    mine = integrator.get(f"/assignments/{started.public_id}").get_json()
    assert mine["flowVersion"] == 1 and [m["moduleName"] for m in mine["moduleProgress"]] == [m.title for m in first]
    assert [m["status"] for m in mine["moduleProgress"][:3]] == ["completed", "in_progress", "pending"]
    flow = integrator.get(f"/flows/{FLOW}").get_json()
    assert flow["version"] == 2

    report = integrator.post("/flows/report", json={"flowId": FLOW, "detailed": True}).get_json()
    by_id = {entry["assignmentId"]: entry for entry in report["assignments"]}
    assert by_id[started.public_id]["flowVersion"] == 1
    assert [m["moduleId"] for m in by_id[started.public_id]["moduleProgress"]] == [m.public_id for m in first]
    assert by_id[new["assignmentId"]]["flowVersion"] == 2
    assert [m["moduleName"] for m in by_id[new["assignmentId"]]["moduleProgress"]] == [m.title for m in first[::-1]]


def test_bulk_and_api_assignments_get_the_current_version(demo, db, part_way, integrator, client, login_as):
    _, _, first = part_way
    login_as(demo[ADMIN])
    assert post(client, EDIT, form_of(first, [0, 1], version=1)).status_code == 303
    answer = integrator.post("/flows/assign/bulk", json={"assignments": [
        {"flowId": FLOW, "userEmail": MANAGER}, {"flowId": FLOW, "userEmail": "sam.lee@company.com"}]}).get_json()
    ids = [item["assignmentId"] for item in answer["results"]]
    made = db.session.scalars(sa.select(Assignment).where(Assignment.public_id.in_(ids))).all()
    assert {(a.flow_version, a.module_total) for a in made} == {(2, 2)}


def test_analytics_show_one_version_at_a_time(client, demo, login_as, db, part_way):
    started, _, first = part_way
    login_as(demo[ADMIN])
    assert post(client, EDIT, form_of(first, [1, 0], version=1, move_not_started="yes")).status_code == 303
    current = client.get(f"/flows/{FLOW}/analytics").get_data(as_text=True)
    assert "Version 2 (current) · 1" in current and "Version 1 · 1" in current
    assert f"1. {first[1].title}" in current  # version 2's order
    older = client.get(f"/flows/{FLOW}/analytics?version=1").get_data(as_text=True)
    assert f"1. {first[0].title}" in older and "1 of 1 on version 1 has started" in older
    assert client.get(f"/flows/{FLOW}/analytics?version=99").status_code == 200  # falls back to the current one
    csv_text = client.get(f"/flows/{FLOW}/analytics.csv?version=1").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(csv_text)))) == 1 + len(first)


def test_the_walkthrough_reads_the_same_number_of_queries_on_an_old_version(client, demo, login_as, db, part_way,
                                                                             count_queries):
    started, _, first = part_way

    def statements():
        db.session.expire_all()
        with count_queries() as sent:
            walk = progress.walkthrough(demo[EMPLOYEE], started.public_id)
        return len(sent), [module.id for module in walk.modules]

    before, modules = statements()
    login_as(demo[ADMIN])
    assert post(client, EDIT, form_of(first, [1, 0], version=1)).status_code == 303
    assert statements() == (before, modules)


def test_uses_counts_people_per_version(demo, db, part_way):
    started, waiting, first = part_way
    flow = db.session.get(Flow, started.flow_id)
    wanted = [(module, type("Row", (), {"title": module.title})()) for module in first[::-1]]
    versions.branch(flow, wanted)
    db.session.flush()
    services.cancel_assignment(services.Assigner(flow.organization_id, person=demo[ADMIN]), waiting.public_id,
                               reason="Left the company")
    [current, old] = versions.uses(flow)
    assert (current.version, current.current, current.people, current.modules) == (2, True, 0, len(first))
    assert (old.version, old.in_progress, old.not_started, old.modules) == (1, 1, 0, len(first))
    assert db.session.get(Assignment, waiting.id).status == AssignmentStatus.CANCELLED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Acknowledgement)) == 0


# --- an edit and someone starting at the same moment (real commits, PostgreSQL) ---------


@pytest.mark.usefixtures("committed_demo")
def test_an_edit_waits_for_someone_starting_and_then_makes_a_new_version(app):
    """Without the turn-taking, the edit would count nobody started (the start is not
    committed yet) and reorder version 1 in place under the person starting it."""
    import threading
    import time

    from momoflow.accounts.services import find_user
    from momoflow.extensions import db as _db
    from momoflow.flows import editing
    from tests.conftest import need

    with app.app_context():
        need(_db.engine.dialect.name == "postgresql", "row locks are PostgreSQL's (SQLite runs one writer at a time)")
        admin = find_user(ADMIN)
        assignment = assign({ADMIN: admin}, EMPLOYEE, flow_id="flow_sec101")
        _db.session.commit()
        public_id, flow_id = assignment.public_id, assignment.flow_id
        modules = modules_of(_db, "flow_sec101")
        spec = editing.parse_flow({"name": "Security Awareness", "modules": [
            {"id": str(m.id), "title": m.title, "minutes": m.estimated_minutes} for m in modules[::-1]]})
        _db.session.remove()

    holding, go, problems = threading.Event(), threading.Event(), []

    def start():
        with app.app_context():
            try:
                services.start_assignment(find_user(EMPLOYEE), public_id)
                holding.set()
                go.wait(30)
                _db.session.commit()
            except Exception as error:  # noqa: BLE001  (reported by the test)
                problems.append(error)
                holding.set()
            finally:
                _db.session.remove()

    def edit():
        with app.app_context():
            try:
                editing.update_flow(find_user(ADMIN).organization, "flow_sec101", spec, find_user(ADMIN))
                _db.session.commit()
            except Exception as error:  # noqa: BLE001
                problems.append(error)
            finally:
                _db.session.remove()

    starter, editor = threading.Thread(target=start), threading.Thread(target=edit)
    starter.start()
    assert holding.wait(30)
    editor.start()
    with app.app_context():  # the edit waits on the flow's lock while the start is open
        deadline = time.monotonic() + 30
        while not _db.session.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")):
            assert time.monotonic() < deadline and editor.is_alive(), "the edit did not wait for the start"
            _db.session.rollback()
            time.sleep(0.02)
        _db.session.remove()
    go.set()
    starter.join(30)
    editor.join(30)
    assert problems == []
    with app.app_context():
        flow = _db.session.get(Flow, flow_id)
        started = _db.session.scalar(sa.select(Assignment).where(Assignment.public_id == public_id))
        assert (flow.version, started.flow_version, started.status) == (2, 1, AssignmentStatus.IN_PROGRESS)
        assert [m.id for m in modules_of(_db, "flow_sec101", version=1)] == [m.id for m in modules]
        _db.session.remove()


@pytest.mark.usefixtures("committed_demo")
def test_an_edit_and_someone_starting_never_deadlock(app):
    """The edit locks the flow and then its assignments; someone starting takes the flow
    (shared) before their assignment. Locked the other way round, each would wait for the
    other and PostgreSQL would abort one of them."""
    import threading
    import time

    from momoflow.accounts.services import find_user
    from momoflow.extensions import db as _db
    from momoflow.flows import access
    from tests.conftest import need

    with app.app_context():
        need(_db.engine.dialect.name == "postgresql", "row locks are PostgreSQL's (SQLite runs one writer at a time)")
        assignment = assign({ADMIN: find_user(ADMIN)}, EMPLOYEE, flow_id="flow_sec101")
        _db.session.commit()
        public_id = assignment.public_id
        _db.session.remove()

    flow_locked, problems = threading.Event(), []

    def waiting_on_a_lock():
        # A connection of its own: a transaction sees pg_stat_activity as it was when it began.
        with _db.engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar()

    def edit():
        with app.app_context():
            try:
                flow = access.find_flow(find_user(ADMIN).organization, "flow_sec101", for_update=True)
                flow_locked.set()
                deadline = time.monotonic() + 30
                while not waiting_on_a_lock():  # the start now waits for the flow
                    assert time.monotonic() < deadline, "the start never waited"
                    time.sleep(0.02)
                versions.recount(flow)  # the edit's UPDATE of the flow's assignments
                _db.session.commit()
            except Exception as error:  # noqa: BLE001  (reported by the test)
                problems.append(error)
                flow_locked.set()
            finally:
                _db.session.remove()

    def start():
        with app.app_context():
            try:
                assert flow_locked.wait(30)
                services.start_assignment(find_user(EMPLOYEE), public_id)
                _db.session.commit()
            except Exception as error:  # noqa: BLE001
                problems.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=edit), threading.Thread(target=start)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert problems == []
    with app.app_context():
        assert _db.session.scalar(sa.select(Assignment.status).where(Assignment.public_id == public_id)) == \
            AssignmentStatus.IN_PROGRESS
        _db.session.remove()

"""What the inbox cards show besides the decision (the start of the description, files
attached, the round) and the dashboard's "Your open requests"; both in a fixed number
of queries."""

import io
import re

from werkzeug.datastructures import FileStorage

from momoflow.database import utcnow
from momoflow.workflows import services
from momoflow.workflows.models import DocumentCategory, RequestStatus, WorkflowRequest
from momoflow.workflows.validation import parse_new_request
from tests.workflows.conftest import simple_request
from tests.workflows.pages import DIRECTOR, INITIATOR, MANAGER, PDF, raise_request

LONG = ("The second-floor meeting rooms need new chairs and a projector before the quarterly review; "
        "the vendor quoted twice and we picked the cheaper offer, which includes installation and three "
        "years of support.")


def count_statements(client, count_queries, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def raise_described(db, demo, description, *approvers, files=0, title="Meeting room refit"):
    spec = parse_new_request(simple_request(*approvers, title=title, description=description))
    uploads = [FileStorage(io.BytesIO(PDF), filename=f"quote-{n}.pdf") for n in range(files)]
    created = services.create_request(demo[INITIATOR], spec, uploads, DocumentCategory.QUOTATION)
    db.session.flush()
    return created


def card_of(html, title):
    start = html.index(title)
    return html[html.rindex("<li", 0, start):html.index("</li>", start)]


def test_inbox_cards_show_the_description_files_and_round(client, db, demo, login_as):
    refit = raise_described(db, demo, LONG, MANAGER, files=2)
    raise_described(db, demo, "Short note.", MANAGER, files=1, title="Chairs")
    plain = raise_request(db, demo, MANAGER, title="Plain")
    db.session.execute(db.update(WorkflowRequest).where(WorkflowRequest.id == plain.id)
                       .values(description="", round=2))
    login_as(demo[MANAGER])
    html = client.get("/inbox").get_data(as_text=True)
    card = card_of(html, "Meeting room refit")
    excerpt = re.search(r'<p class="inbox-item__excerpt">([^<]*)</p>', card).group(1)
    assert excerpt.endswith("…") and len(excerpt) <= 161 and LONG.startswith(excerpt[:-1])
    assert LONG[len(excerpt) - 1] == " " or not LONG[len(excerpt) - 1].isalnum()  # cut at a word
    assert "2 attachments" in card and "Round" not in card
    chairs = card_of(html, ">Chairs<")
    assert "Short note." in chairs and "1 attachment<" in chairs
    plain_card = card_of(html, ">Plain<")
    assert '<span class="badge badge--round">Round 2</span>' in plain_card and "attachment" not in plain_card
    assert "inbox-item__excerpt" not in plain_card
    assert refit.round == 1


def test_inbox_cards_count_files_in_one_query(client, db, demo, login_as, count_queries):
    raise_described(db, demo, LONG, MANAGER, files=1)
    login_as(demo[MANAGER])
    one, _ = count_statements(client, count_queries, "/inbox")
    for number in range(6):
        raise_described(db, demo, LONG, MANAGER, files=2, title=f"Refit {number}")
    seven, html = count_statements(client, count_queries, "/inbox")
    assert one == seven and html.count("2 attachments") == 6


def test_the_dashboard_shows_my_open_requests_and_where_they_wait(client, db, demo, login_as):
    waiting = raise_request(db, demo, MANAGER, DIRECTOR, title="Waiting one")
    returned = raise_request(db, demo, MANAGER, title="Returned one")
    closed = raise_request(db, demo, MANAGER, title="Withdrawn one")
    services.withdraw_request(demo[INITIATOR], closed.id, "Not needed")
    db.session.execute(db.update(WorkflowRequest).where(WorkflowRequest.id == returned.id)
                       .values(status=RequestStatus.RETURNED, current_level=None, resume_level=1,
                               returned_at=utcnow()))
    db.session.flush()
    login_as(demo[INITIATOR])
    html = client.get("/").get_data(as_text=True)
    section = html[html.index('id="my-open-requests"'):]
    section = section[:section.index("</section>")]
    assert "Withdrawn one" not in section
    mine = card_of(section, "Waiting one")
    assert "Waiting at level 1 of 2: " in mine and "with Arjun Mehta" in mine
    back = card_of(section, "Returned one")
    assert "Returned to you for changes" in back and 'class="badge badge--returned"' in back
    assert waiting.request_number in section


def test_the_dashboard_says_when_nothing_of_mine_is_open(client, demo, login_as):
    login_as(demo[MANAGER])
    html = client.get("/").get_data(as_text=True)
    assert "Nothing of yours is waiting." in html and "Raise a request" in html


def test_the_dashboard_runs_a_fixed_number_of_queries(client, db, demo, login_as, count_queries):
    raise_request(db, demo, MANAGER, title="First")
    login_as(demo[INITIATOR])
    one, _ = count_statements(client, count_queries, "/")
    for number in range(8):
        raise_request(db, demo, MANAGER, DIRECTOR, title=f"More {number}")
    eight, html = count_statements(client, count_queries, "/")
    assert one == eight and html.count("Waiting at level 1 of") == 5  # the newest five
    assert "All your requests" in html

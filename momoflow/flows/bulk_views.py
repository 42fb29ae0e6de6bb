"""The overview's bulk bar: tick several assignments, then cancel them (one reason for
all), move their due date, or remind their people, in one request (``bulk.change_many``).

htmx gets the result of each row for the bar's live region, the changed rows again
(out of band, in their new state) and the bar's form back; a plain post gets the whole
overview with the results on top.
"""

from flask import render_template, request
from flask_login import current_user

from momoflow.flows import assign_views, bp, bulk, forms, from_requests, queries, rules
from momoflow.flows.access import assigner_required
from momoflow.flows.services import Assigner
from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, toast
from momoflow.templating import date_text
from momoflow.transactions import refusals

LABELS = {bulk.DONE: "Done", bulk.REFUSED: "Not changed"}


@bp.post("/flows/assignments/bulk")
@assigner_required
def change_selected():
    values = forms.bulk_values(request.form)
    with refusals() as refused:
        changes = bulk.change_many(Assigner.signed_in(current_user), values["action"], values["selected"],
                                   reason=values["reason"], due_date=values["due_date"])
    if refused:
        state = failed(values, forms.in_page_words(refused.error), forms.change_field)
        return _answer(state, None, values["action"], refused.status)
    return _answer(FormState(), changes, values["action"])


def _answer(state, changes, action, status=200):
    rows = queries.assignment_rows(current_user.organization, [change.assignment_id for change in changes or ()])
    answer = {"bulk_state": state, "bulk_changes": changes, "bulk_action": action, "bulk_rows": rows}
    if not is_htmx_request():
        return assign_views.overview_page(status, **answer)
    html = render_template("flows/_bulk_answer.html", filter_args=assign_views.overview_filter_args(),
                           max_reason=rules.MAX_REASON_LENGTH, **answer,
                           visible_requests=from_requests.visible_sources(current_user,
                                                                          [row[0] for row in rows.values()]))
    if changes:
        html += toast(summary(changes), "success" if bulk.counts(changes)[bulk.DONE] else "warning")
    return html, status


def summary(changes):
    tally = bulk.counts(changes)
    words = f"{tally[bulk.DONE]} changed"
    return words + (f", {tally[bulk.REFUSED]} not changed." if tally[bulk.REFUSED] else ".")


def change_words(change, action, row):
    """What became of one row (``row``: the assignment as it is now, or None), in a few words."""
    if change.outcome == bulk.REFUSED:
        return change.reason
    if action == bulk.CANCEL:
        return "Cancelled; the person has been told."
    if action == bulk.REDATE:
        return f"Due date moved to {date_text(row[0].due_date)}; the person has been told."
    return "Reminder sent."


@bp.context_processor
def _bulk_helpers():
    return {"bulk_labels": LABELS, "bulk_change_words": change_words, "bulk_change_summary": summary}

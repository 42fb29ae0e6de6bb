"""The inbox's bulk bar: tick several items, approve or reject them with one comment.

The same service as ``POST /api/v1/workflows/decisions`` (``bulk.decide_many``) decides
them. htmx gets the results for the page's live region, the decided items removed and
the bar back (out of band); a plain post gets the whole inbox with the results on top.
"""

from flask import render_template, request
from flask_login import current_user

from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, toast
from momoflow.transactions import refusals
from momoflow.workflows import bp, bulk, forms, labels
from momoflow.workflows.list_views import inbox_page
from momoflow.workflows.throttle import throttle_bulk_decisions

LABELS = {bulk.APPLIED: "Done", bulk.SKIPPED: "Skipped", bulk.FAILED: "Failed"}


@bp.post("/inbox/decisions")
@throttle_bulk_decisions
def decide_selected():
    values = {"comments": request.form.get("comments", ""), "action": request.form.get("action", "")}
    with refusals() as refused:
        outcomes = bulk.decide_many(current_user, forms.parse_bulk_form(request.form))
    if refused:
        return _answer(failed(values, refused.error, forms.bulk_field), None, refused.status)
    return _answer(FormState(), outcomes)


def _answer(state, outcomes, status=200):
    context = {"bulk_state": state, "bulk_outcomes": outcomes}
    if not is_htmx_request():
        return inbox_page(status, **context)
    html = render_template("workflows/_bulk_answer.html", **context)
    if outcomes:
        html += toast(summary(outcomes), "success" if bulk.counts(outcomes)[bulk.APPLIED] else "warning")
        html += render_template("workflows/_inbox_badge.html", oob=True)
    return html, status


def summary(outcomes):
    tally = bulk.counts(outcomes)
    words = [f"{tally[bulk.APPLIED]} decided"]
    words += [f"{tally[kind]} {LABELS[kind].lower()}" for kind in (bulk.SKIPPED, bulk.FAILED) if tally[kind]]
    return ", ".join(words) + "."


def outcome_words(outcome):
    """What became of one item, in a few words: where an applied decision left the request,
    else why it was not applied."""
    if outcome.outcome != bulk.APPLIED:
        return outcome.error
    verb = "Approved" if outcome.decision.action == "approve" else "Rejected"
    return f"{verb}: {labels.where_it_stands(outcome.level, outcome.request)}."


@bp.context_processor
def _bulk_helpers():
    return {"bulk_outcome_words": outcome_words, "bulk_labels": LABELS, "bulk_summary": summary,
            "bulk_hides": (bulk.APPLIED, bulk.SKIPPED)}

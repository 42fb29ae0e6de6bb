"""The templates a requester chooses from on the New request page, grouped by category
and searched by name, category and description (an organisation has a few dozen at
most, read with one query: the search runs over them here)."""

from dataclasses import dataclass
from itertools import groupby

from momoflow.request_templates.services import list_templates

MAX_QUERY = 200
OTHER = "Other"  # the heading of templates without a category


@dataclass(frozen=True)
class Card:
    template_id: str
    name: str
    description: str
    fields: int
    levels: int


def templates_by_category(organization, query=""):
    """``[(category, [Card])]`` of the organisation's active templates matching ``query``
    (every word, in any order, case ignored), categories A-Z with uncategorised last."""
    words = query[:MAX_QUERY].casefold().split()
    cards = [(template.category or OTHER, _card(template)) for template in list_templates(organization)
             if _matches(template, words)]
    cards.sort(key=lambda pair: (pair[0] == OTHER, pair[0].casefold(), pair[1].name.casefold()))
    return [(category, [card for _, card in group]) for category, group in groupby(cards, key=lambda pair: pair[0])]


def _card(template):
    definition = template.definition
    return Card(template.public_id, template.name, definition.get("description", ""),
                len(definition.get("fields", [])), len(definition.get("levels", [])))


def _matches(template, words):
    text = " ".join((template.name, template.category, template.definition.get("description", ""))).casefold()
    return all(word in text for word in words)

"""The webhook pages' forms to and from what ``webhooks.services`` takes."""

from momoflow.webhooks.services import SUBSCRIBABLE_EVENTS

# Event type prefix -> the group its checkbox is shown in; unknown prefixes go to "Other".
_GROUPS = {"workflow": "Requests", "approver": "Requests", "spectator": "Requests", "comment": "Requests",
           "level": "Approval levels", "flow": "Flows", "person": "People"}
_GROUP_ORDER = ("Requests", "Approval levels", "Flows", "People", "Other")


def event_groups():
    """``[(label, [event type])]`` for the checkboxes, every subscribable type once."""
    groups = {label: [] for label in _GROUP_ORDER}
    for name in SUBSCRIBABLE_EVENTS:
        groups[_GROUPS.get(name.partition(".")[0], "Other")].append(name)
    return [(label, names) for label, names in groups.items() if names]


def endpoint_values(form=None):
    if form is None:
        return {"url": "", "description": "", "events": []}
    return {"url": form.get("url", ""), "description": form.get("description", ""),
            "events": form.getlist("events")}


def details_values(form=None, endpoint=None):
    """The edit form's URL and description: as posted, else the endpoint's own."""
    if form is not None:
        return {"url": form.get("url", ""), "description": form.get("description", "")}
    return {"url": endpoint.url, "description": endpoint.description}


def endpoint_field(path):
    return path if path in ("url", "description", "events") else None

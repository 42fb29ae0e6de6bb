"""Out of office over the JSON API: ``/api/v1/me/out-of-office`` for oneself, and
``/api/v1/users/<email>/out-of-office`` for administrators (their organisation's people)."""

from flask import g, jsonify

from momoflow.accounts import absences
from momoflow.api import bp, json_body
from momoflow.database import utcnow
from momoflow.notifications.messages import zone_of

FIELDS = ("start", "end", "delegateEmail", "message")
SAVED, CLEARED = "Out of office saved", "Out of office cleared"


def absence_json(absence, person, now=None):
    """The absence as the API shows it, its moments in the organisation's time zone; None if none."""
    if absence is None:
        return None
    zone = zone_of(person)
    delegate = absence.delegate
    return {"start": absence.starts_at.astimezone(zone).isoformat(), "end": absence.ends_at.astimezone(zone).isoformat(),
            "delegateEmail": delegate.email, "delegate": {"email": delegate.email, "name": delegate.display_name},
            "message": absence.message, "active": absence.covers(now or utcnow()), "timeZone": zone.key}


def _ok(data, message=None):
    body = {"success": True}
    if message:
        body["message"] = message
    body["data"] = data
    return jsonify(body), 200


def _show(person):
    return _ok(absence_json(absences.absence_of(person), person))


def _save(person):
    data = json_body()
    absence = absences.set_absence(g.api_user, person, *(data.get(name) for name in FIELDS))
    return _ok(absence_json(absence, person), SAVED)


def _clear(person):
    absences.clear_absence(g.api_user, person)
    return _ok(None, CLEARED)


@bp.get("/me/out-of-office")
def get_my_absence():
    return _show(g.api_user)


@bp.put("/me/out-of-office")
def set_my_absence():
    return _save(g.api_user)


@bp.delete("/me/out-of-office")
def clear_my_absence():
    return _clear(g.api_user)


@bp.get("/users/<email>/out-of-office")
def get_absence(email):
    return _show(absences.person_for(g.api_user, email))


@bp.put("/users/<email>/out-of-office")
def set_absence(email):
    return _save(absences.person_for(g.api_user, email))


@bp.delete("/users/<email>/out-of-office")
def clear_absence(email):
    return _clear(absences.person_for(g.api_user, email))

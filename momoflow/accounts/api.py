"""People for admins over JSON (``/api/v1/users``): thin callers of ``accounts.people``
and ``accounts.admin``, the same the Settings → People page calls."""

from flask import g, jsonify, request

from momoflow.accounts import admin, people
from momoflow.accounts.schemas import person_json
from momoflow.api import bp, fails_as

DEACTIVATE_FAILED, REACTIVATE_FAILED = "Failed to deactivate user", "Failed to reactivate user"


@bp.get("/users")
def list_users():
    admin.require_admin(g.api_user)
    query = people.parse_people_query(request.args)
    page = people.list_people(g.api_user.organization, query)
    pagination = {"limit": query.limit, "nextCursor": page.next_cursor, "hasMore": page.next_cursor is not None}
    return jsonify({"success": True, "data": [person_json(row) for row in page.rows], "pagination": pagination})


@bp.post("/users/<path:email>/deactivate")
@fails_as(DEACTIVATE_FAILED)
def deactivate_user(email):
    person = admin.deactivate(g.api_user, admin.find_person(g.api_user, email))
    return _changed(person, "User deactivated")


@bp.post("/users/<path:email>/reactivate")
@fails_as(REACTIVATE_FAILED)
def reactivate_user(email):
    person = admin.reactivate(g.api_user, admin.find_person(g.api_user, email))
    return _changed(person, "User reactivated")


def _changed(person, message):
    return jsonify({"success": True, "message": message, "data": person_json(people.person_row(person))})

"""Settings → Groups (admins): the organisation's groups of people, which request templates
can name as approvers. Local groups are made and kept here; directory groups are mirrors,
shown read-only and refreshed when a request uses them (``groups.services.members_of``).

Every form is a plain post: a refusal shows the page again with the messages by their
fields, a success goes back to the page with a toast.
"""

from flask import render_template, request, url_for
from flask_login import current_user

from momoflow.forms import FormState, failed
from momoflow.groups import services
from momoflow.groups.models import name_key
from momoflow.htmx import done
from momoflow.settings import bp
from momoflow.transactions import refusals

DETAILS = ("name", "description")


@bp.get("/groups")
def groups_page():
    return _list_page(FormState())


@bp.post("/groups")
def create_group():
    values = _details_values()
    with refusals() as refused:
        group = services.create_group(current_user, values["name"], values["description"])
    if refused:
        return _list_page(failed(values, refused.error, _details_field), refused.status)
    return done(f"Group {group.name} created. Add its members here.", url_for(".group_page", group_id=group.id))


@bp.get("/groups/<uuid:group_id>")
def group_page(group_id):
    return _group_page(services.find_group(current_user, group_id))


@bp.post("/groups/<uuid:group_id>")
def edit_group(group_id):
    values = _details_values()
    with refusals() as refused:
        group = services.edit_group(current_user, group_id, values["name"], values["description"])
    if refused:
        return _group_page(services.find_group(current_user, group_id),
                           details=failed(values, refused.error, _details_field), status=refused.status)
    return done(f"Group {group.name} saved.", url_for(".group_page", group_id=group.id))


@bp.post("/groups/<uuid:group_id>/members")
def add_group_member(group_id):
    values = {"email": request.form.get("email", "")}
    with refusals() as refused:
        person = services.add_member(current_user, group_id, values["email"])
    group = services.find_group(current_user, group_id)
    if refused:
        return _group_page(group, member=failed(values, refused.error, lambda path: "email"), status=refused.status)
    return done(f"{person.display_name} added to {group.name}.", url_for(".group_page", group_id=group.id))


@bp.post("/groups/<uuid:group_id>/members/remove")
def remove_group_member(group_id):
    with refusals() as refused:
        person = services.remove_member(current_user, group_id, request.form.get("email", ""))
    group = services.find_group(current_user, group_id)
    if refused:
        return _group_page(group, removal=refused.error.message, status=refused.status)
    return done(f"{person.display_name} removed from {group.name}.", url_for(".group_page", group_id=group.id))


@bp.post("/groups/<uuid:group_id>/delete")
def delete_group(group_id):
    with refusals() as refused:
        group = services.delete_group(current_user, group_id)
    if refused:
        return _group_page(services.find_group(current_user, group_id), removal=refused.error.message,
                           status=refused.status)
    return done(f"Group {group.name} deleted.", url_for(".groups_page"))


def _details_values():
    return {key: request.form.get(key, "") for key in DETAILS}


def _details_field(path):
    return path if path in DETAILS else None


def _list_page(state, status=200):
    organization = current_user.organization
    listed = services.list_groups(organization)
    stored = {name_key(group.name) for group, _ in listed}
    unused = [name for name in services.directory_group_names(organization) if name_key(name) not in stored]
    return render_template("settings/groups.html", groups=listed, directory_only=unused, state=state, max_name=services.MAX_NAME_LENGTH,
                           max_description=services.MAX_DESCRIPTION_LENGTH), status


def _group_page(group, details=None, member=None, removal=None, status=200):
    details = details or FormState(values={"name": group.name, "description": group.description or ""})
    return render_template("settings/group.html", group=group, members=services.group_members(group),
                           details=details, member=member or FormState(), removal=removal,
                           max_name=services.MAX_NAME_LENGTH,
                           max_description=services.MAX_DESCRIPTION_LENGTH), status

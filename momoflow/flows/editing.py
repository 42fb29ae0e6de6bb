"""Creating and changing flows from the admin pages. Callers own the transaction.

Validation names each problem by its path (``name``, ``modules.2.title``), so the
page can put the message next to the field, as ``validation`` does for the API.

Editing keeps module ids: an assignee's finished modules are recorded against them
(``ModuleProgress``) and counted in order (``Assignment.modules_completed``), so
rewording a module must not erase anyone's progress. Adding, removing or
reordering modules once someone has started would move their place in the flow, so
that makes a new version (``versions``) and they keep theirs.
"""

from dataclasses import dataclass

from momoflow import fields
from momoflow.errors import ValidationFailed
from momoflow.extensions import db
from momoflow.flows import access, queries, rules, versions
from momoflow.flows.models import Flow, FlowStatus, Module

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_TITLE_LENGTH = 200
MAX_CONTENT_LENGTH = 20000
MAX_MODULE_MINUTES = 600
STALE_FORM = ("Someone saved a new version of this flow (version {version}) since this page was opened. "
              "Open the flow again to edit the latest modules.")


@dataclass
class ModuleSpec:
    module_id: str | None  # the module being edited; None for a new one
    title: str
    content: str
    minutes: int


@dataclass
class FlowSpec:
    name: str
    description: str
    modules: list[ModuleSpec]
    version: int | None = None  # the flow's version the form showed (None: not checked)


def parse_flow(data):
    """A FlowSpec from ``{name, description, modules: [{id?, title, content, minutes}]}``,
    or ValidationFailed naming every bad field."""
    problems = fields.Problems()
    name = _text(data.get("name"), "name", "Name", MAX_NAME_LENGTH, problems, required=True)
    description = _text(data.get("description"), "description", "Description", MAX_DESCRIPTION_LENGTH, problems)
    rows = data.get("modules") or []
    if not rows:
        problems.add("modules", "Add at least one module")
    elif len(rows) > rules.MAX_MODULES:
        problems.add("modules", f"A flow can have at most {rules.MAX_MODULES} modules")
    modules = [_module(row, f"modules.{index}", problems) for index, row in enumerate(rows[: rules.MAX_MODULES])]
    version = fields.whole_number(data["version"], "modules", problems, low=1, high=rules.MAX_VERSION,
                                  from_text=True, message="Open the flow again to edit it") \
        if data.get("version") else None
    problems.raise_if_any()
    return FlowSpec(name, description, modules, version)


def _module(row, path, problems):
    title = _text(row.get("title"), f"{path}.title", "Title", MAX_TITLE_LENGTH, problems, required=True)
    content = _text(row.get("content"), f"{path}.content", "Content", MAX_CONTENT_LENGTH, problems)
    minutes = _minutes(row.get("minutes"), f"{path}.minutes", problems)
    return ModuleSpec(str(row.get("id") or "") or None, title, content, minutes)


def _text(value, path, label, limit, problems, required=False):
    return fields.text(value, path, problems, label=label, max_length=limit, nul=f"{label} must be text",
                       required=f"{label} is required" if required else None) or ""


def _minutes(value, path, problems):
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add(path, "Estimated minutes are required")
        return 0
    value = value if isinstance(value, str) else str(value)
    return fields.whole_number(value, path, problems, low=0, high=MAX_MODULE_MINUTES, from_text=True,
                               message=f"Enter whole minutes from 0 to {MAX_MODULE_MINUTES}") or 0


# --- changing flows ----------------------------------------------------------------


def create_flow(organization, spec, public_id=None):
    """A new active flow from a checked FlowSpec (``public_id``: the demo's fixed ids)."""
    flow = Flow(organization_id=organization.id, name=spec.name, description=spec.description,
                module_count=len(spec.modules), estimated_minutes=sum(m.minutes for m in spec.modules))
    if public_id:
        flow.public_id = public_id
    flow.modules = [Module(position=position, title=m.title, content=m.content, estimated_minutes=m.minutes)
                    for position, m in enumerate(spec.modules, start=1)]
    db.session.add(flow)
    db.session.flush()
    return flow


def update_flow(organization, flow_id, spec, editor, move_not_started=True):
    """Rename and redescribe the flow and bring its modules in line with ``spec``.

    Adding, removing or reordering modules once someone has started this version makes
    the next one (``versions.branch``); with ``move_not_started``, those not yet started
    move to it (``editor`` is named in their history). A form opened on an older version
    (``spec.version``) is refused rather than read against modules it never showed."""
    flow = access.find_flow(organization, flow_id, for_update=True)
    if spec.version is not None and spec.version != flow.version:
        raise ValidationFailed([("modules", STALE_FORM.format(version=flow.version))])
    modules = queries.modules_of(flow)
    wanted = _match(modules, spec.modules)
    restructured = [module for module, _ in wanted] != modules
    branched = restructured and versions.started_on(flow) > 0
    if branched:
        wanted = versions.branch(flow, wanted)
    elif restructured:
        _restructure(flow, modules, wanted)
    for position, (module, row) in enumerate(wanted, start=1):
        module.position, module.title, module.content, module.estimated_minutes = (
            position, row.title, row.content, row.minutes)
    flow.name, flow.description = spec.name, spec.description
    flow.module_count = len(wanted)
    flow.estimated_minutes = sum(row.minutes for _, row in wanted)
    db.session.flush()
    if branched and move_not_started:
        versions.move_not_started(flow, editor)
    elif restructured and not branched:
        versions.recount(flow)
    return flow


def _match(modules, rows):
    """``[(module or None, row)]``: each row with the saved module it edits. An id that is
    not one of these modules (or repeats) is a new module."""
    by_id = {str(module.id): module for module in modules}
    wanted, seen = [], set()
    for row in rows:
        wanted.append((by_id.get(row.module_id) if row.module_id not in seen else None, row))
        seen.add(row.module_id)
    return wanted


def _restructure(flow, modules, wanted):
    """Delete dropped modules, add new ones, and free the positions for renumbering
    (each position is unique within a flow, even for a moment)."""
    kept = {id(module) for module, _ in wanted if module is not None}
    for module in modules:
        if id(module) in kept:
            module.position = -module.position
        else:
            db.session.delete(module)
    db.session.flush()
    for index, (module, row) in enumerate(wanted):
        if module is None:
            module = Module(flow_id=flow.id, version=flow.version, position=-(len(modules) + index + 1),
                            title=row.title)
            db.session.add(module)
            wanted[index] = (module, row)
    db.session.flush()


def archive_flow(organization, flow_id):
    flow = access.find_flow(organization, flow_id)
    flow.status = FlowStatus.ARCHIVED
    return flow


def restore_flow(organization, flow_id):
    flow = access.find_flow(organization, flow_id)
    flow.status = FlowStatus.ACTIVE
    return flow

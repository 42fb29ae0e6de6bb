"""Creating and changing flows from the admin pages. Callers own the transaction.

Validation names each problem by its path (``name``, ``modules.2.title``), so the
page can put the message next to the field, as ``validation`` does for the API.

Editing keeps module ids: an assignee's finished modules are recorded against them
(``ModuleProgress``) and counted in order (``Assignment.modules_completed``), so
rewording a module must not erase anyone's progress. Adding, removing or
reordering modules while someone is part-way through would move their place in
the flow, so that waits until nobody is.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from momoflow import fields
from momoflow.errors import ValidationFailed
from momoflow.extensions import db
from momoflow.flows import access, queries, rules
from momoflow.flows.models import Assignment, AssignmentStatus, Flow, FlowStatus, Module

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_TITLE_LENGTH = 200
MAX_CONTENT_LENGTH = 20000
MAX_MODULE_MINUTES = 600


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
    problems.raise_if_any()
    return FlowSpec(name, description, modules)


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


def update_flow(organization, flow_id, spec):
    """Rename and redescribe the flow and bring its modules in line with ``spec``."""
    flow = access.find_flow(organization, flow_id)
    modules = queries.modules_of(flow)
    by_id = {str(module.id): module for module in modules}
    wanted, seen = [], set()
    for row in spec.modules:  # an id that is not one of this flow's modules (or repeats) is a new module
        module = by_id.get(row.module_id) if row.module_id not in seen else None
        seen.add(row.module_id)
        wanted.append((module, row))
    if [module for module, _ in wanted] != modules:
        _refuse_restructuring_while_in_progress(flow)
        _restructure(flow, modules, wanted)
    for position, (module, row) in enumerate(wanted, start=1):
        module.position, module.title, module.content, module.estimated_minutes = (
            position, row.title, row.content, row.minutes)
    flow.name, flow.description = spec.name, spec.description
    flow.module_count = len(wanted)
    flow.estimated_minutes = sum(row.minutes for _, row in wanted)
    db.session.flush()
    return flow


def _refuse_restructuring_while_in_progress(flow):
    started = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.flow_id == flow.id, Assignment.status == AssignmentStatus.IN_PROGRESS))
    if started:
        people = "1 person is" if started == 1 else f"{started} people are"
        raise ValidationFailed([("modules", f"{people} part-way through this flow, so its modules cannot be "
                                            "added, removed or reordered until they finish. You can still "
                                            "change their titles, content and minutes.")])


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
            module = Module(flow_id=flow.id, position=-(len(modules) + index + 1), title=row.title)
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

"""Files attached to flow modules: uploaded by admins with the request documents' rules
(``workflows.documents``: extension and content checked, stored under a random name, a
file of a request that does not commit deleted again), downloaded by the assignee while
they may read the module, and by admins. Callers own the transaction.
"""

import uuid

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.database import utcnow
from momoflow.errors import NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.flows import access, quizzes, rules
from momoflow.flows.models import Assignment, AssignmentStatus, Module, ModuleFile
from momoflow.workflows import documents

FILE_NOT_FOUND = "File not found"
TOO_MANY = f"A module can have at most {rules.MAX_MODULE_FILES} files"
NONE_CHOSEN = "Choose a file to upload"


def files_of(module_ids):
    """``{module id: [files, oldest first]}`` of these modules (removed ones left out), one query."""
    found = {module_id: [] for module_id in module_ids}
    if found:
        for file in db.session.scalars(sa.select(ModuleFile).where(ModuleFile.module_id.in_(list(found)),
                                                                   ModuleFile.removed_at.is_(None))
                                       .order_by(ModuleFile.created_at, ModuleFile.id)):
            found[file.module_id].append(file)
    return found


def listed(module):
    """``[(file, uploader's name or None)]`` of a module, oldest first: its Files page."""
    return db.session.execute(sa.select(ModuleFile, User.display_name)
                              .outerjoin(User, User.id == ModuleFile.uploaded_by_id)
                              .where(ModuleFile.module_id == module.id, ModuleFile.removed_at.is_(None))
                              .order_by(ModuleFile.created_at, ModuleFile.id)).all()


def counts(module_ids):
    """``{module id: files}`` for the flow editor's links, one query."""
    if not module_ids:
        return {}
    return dict(db.session.execute(sa.select(ModuleFile.module_id, sa.func.count())
                                   .where(ModuleFile.module_id.in_(list(module_ids)), ModuleFile.removed_at.is_(None))
                                   .group_by(ModuleFile.module_id)).all())


def attach(organization, flow_id, module_id, uploads, uploader):
    """Check and store ``uploads`` (werkzeug FileStorage) on a module of the flow's current
    version; ValidationFailed (path ``files``) refuses them all."""
    flow, module = quizzes.find_module(organization, flow_id, module_id, current=True)
    if not uploads:
        raise ValidationFailed([("files", NONE_CHOSEN)])
    if len(files_of([module.id])[module.id]) + len(uploads) > rules.MAX_MODULE_FILES:
        raise ValidationFailed([("files", TOO_MANY)])
    stored = [documents.store_upload(upload, "files") for upload in uploads]
    added = [ModuleFile(module_id=module.id, original_name=file.original_name, stored_name=file.stored_name,
                        content_type=file.content_type, size=file.size, sha256=file.sha256,
                        uploaded_by_id=uploader.id) for file in stored]
    db.session.add_all(added)
    db.session.flush()
    return flow, module, added


def remove(organization, flow_id, module_id, file_id):
    """Take a file off a module of the current version (people on older versions keep their copy)."""
    flow, module = quizzes.find_module(organization, flow_id, module_id, current=True)
    file = _file_of(module, file_id)
    file.removed_at = utcnow()
    return flow, module, file


def copy_to(pairs):
    """The files of each ``(module id, its copy's id)`` onto the copy (``versions.branch``)."""
    copy_of = dict(pairs)
    for module_id, files in files_of(copy_of).items():
        db.session.add_all(ModuleFile(module_id=copy_of[module_id], original_name=file.original_name,
                                      stored_name=file.stored_name, content_type=file.content_type, size=file.size,
                                      sha256=file.sha256, uploaded_by_id=file.uploaded_by_id,
                                      created_at=file.created_at) for file in files)


def for_admin(organization, flow_id, module_id, file_id):
    """A file of any version's module of the organisation's flow."""
    _, module = quizzes.find_module(organization, flow_id, module_id)
    return _file_of(module, file_id)


def for_assignee(user, assignment_id, module_id, file_id):
    """A file of a module the user may read in their own assignment: one of its version,
    done or current (an upcoming module's files are as hidden as its content)."""
    assignment = db.session.scalar(sa.select(Assignment).where(
        Assignment.public_id == assignment_id, Assignment.user_id == user.id,
        Assignment.organization_id == user.organization_id)) if access.can_name_a_row(assignment_id) else None
    if assignment is None:
        raise access.assignment_not_found(assignment_id)
    module = db.session.scalar(sa.select(Module).where(
        Module.flow_id == assignment.flow_id, Module.version == assignment.flow_version,
        Module.public_id == module_id)) if access.can_name_a_row(module_id) else None
    if module is None or not _readable(assignment, module):
        raise NotFound(FILE_NOT_FOUND)
    return _file_of(module, file_id)


def _readable(assignment, module):
    if assignment.status == AssignmentStatus.COMPLETED:
        return True
    return assignment.started_at is not None and module.position <= assignment.modules_completed + 1


def _file_of(module, file_id):
    file = db.session.get(ModuleFile, _uuid(file_id))
    if file is None or file.module_id != module.id or file.removed_at is not None:
        raise NotFound(FILE_NOT_FOUND)
    return file


def _uuid(text):
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return uuid.UUID(int=0)


def send(file):
    return documents.send_stored(file, f"module file {file.id}", FILE_NOT_FOUND)

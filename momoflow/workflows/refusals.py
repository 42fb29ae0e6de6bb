"""What the request services say when they refuse: every message named once, so the
services raise them and the API document (``momoflow/openapi``) shows the same words."""

from momoflow.errors import DomainError

ALREADY_PARTICIPANT = "User is already a participant in this request"
OWN_REQUEST = "You cannot approve your own request. Choose someone else for this level."
LEVEL_NOT_FOUND = "Approval level not found"
ONLY_INITIATOR_WITHDRAWS = "Only the initiator can withdraw this request"
ONLY_MANAGERS_ADD_APPROVERS = "Only the initiator or an administrator can add approvers"
ONLY_PARTICIPANTS_ADD_SPECTATORS = "Only the initiator, an approver or an administrator can add spectators"
REJECT_NEEDS_COMMENTS = "Comments are required to reject a level"
EMPTY_COMMENT = "Comment cannot be empty"
NO_COMMENTS = "You are not allowed to comment on this request"


def unknown_person(role, email):
    return DomainError(f"{role} email '{email}' not found in organization directory. "
                       "Please verify the email address.", field="email")


def only_the_approver(level_number, verb):
    return f"Only the approver of level {level_number} can {verb} it"


def already_decided(level_number, status):
    return f"Level {level_number} has already been {status.value.lower()}"


def not_current_yet(level_number):
    return f"Level {level_number} is not the current level yet"


def no_longer(status, verb):
    return f"The request is {status.value.lower()} and can no longer be {verb}"

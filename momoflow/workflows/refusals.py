"""What the request services say when they refuse: every message named once, so the
services raise them and the API document (``momoflow/openapi``) shows the same words."""

from momoflow.errors import DomainError

ALREADY_PARTICIPANT = "User is already a participant in this request"
OWN_REQUEST = "You cannot approve your own request. Choose someone else for this level."
LEVEL_NOT_FOUND = "Approval level not found"
ONLY_INITIATOR_WITHDRAWS = "Only the initiator or an administrator can withdraw this request"
ONLY_MANAGERS_ADD_APPROVERS = "Only the initiator or an administrator can add approvers"
ONLY_PARTICIPANTS_ADD_SPECTATORS = "Only the initiator, an approver or an administrator can add spectators"
REJECT_NEEDS_COMMENTS = "Comments are required to reject a level"
EMPTY_COMMENT = "Comment cannot be empty"
NO_COMMENTS = "You are not allowed to comment on this request"


def unknown_person(role, email):
    return DomainError(f"{role} email '{email}' not found in organization directory. "
                       "Please verify the email address.", field="email")


def only_the_approver(level_number, verb):
    return f"Only an approver of level {level_number} can {verb} it"


def already_in_level(name, level_number):
    return f"{name} is already an approver of level {level_number}"


def you_already_decided(level_number, status):
    return f"You have already {status.value.lower()} level {level_number}"


def no_task_to_hand_over(level_number):
    return f"You hold no undecided task in level {level_number} to reassign"


def no_task_of(email, level_number):
    return f"{email} holds no undecided task in level {level_number}"


ONLY_HOLDER_OR_ADMIN_REASSIGNS = "Only the task's holder or an administrator can reassign it"
ONLY_ADMINS_NAME_FROM = "Only an administrator can reassign someone else's task (from)"
REASSIGN_TO_SELF = "The task is already theirs: choose someone else"


def already_decided(level_number, status):
    return f"Level {level_number} has already been {status.value.lower()}"


def not_current_yet(level_number):
    return f"Level {level_number} is not the current level yet"


def no_longer(status, verb):
    return f"The request is {status.value.lower()} and can no longer be {verb}"


def handed_over(level_number):
    return f"Your task in level {level_number} was handed to someone else: it is theirs to decide now"

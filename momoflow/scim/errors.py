"""SCIM's refusals (RFC 7644 §3.12): a status and a ``scimType``, shown in SCIM's error
schema by ``errors.json_error``."""

from momoflow.errors import DomainError


class ScimError(DomainError):
    def __init__(self, message, scim_type, status=400):
        super().__init__(message)
        self.status = status
        self.code = scim_type
        self.extra = {"scimType": scim_type}


def invalid(message):
    return ScimError(message, "invalidValue")

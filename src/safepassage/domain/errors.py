"""Domain errors: every refusal the rules can give, each with a message a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base class for refusals by the domain rules (never a server error)."""

    code = "domain_error"
    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """The input does not satisfy a domain rule (bad date, unknown pathway, bad checksum)."""

    code = "invalid_input"
    status = 422


class IllegalTransition(DomainError):
    """A stage change the case state machine does not allow."""

    code = "illegal_transition"
    status = 409


class StaleVersion(DomainError):
    """The case changed since the caller read it; re-read and try again."""

    code = "stale_version"
    status = 409


class NotFound(DomainError):
    """The object does not exist or the actor may not see it (one answer for both)."""

    code = "not_found"
    status = 404


class Forbidden(DomainError):
    """The actor's role may not perform this kind of action at all."""

    code = "forbidden"
    status = 403


class Unauthenticated(DomainError):
    """No valid staff session, or wrong credentials."""

    code = "unauthenticated"
    status = 401


class Conflict(DomainError):
    """The request conflicts with existing state (duplicate username and the like)."""

    code = "conflict"
    status = 409


class TooManyAttempts(DomainError):
    """Too many failed attempts for this account, address or receipt; wait and try again."""

    code = "too_many_attempts"
    status = 429


class StepUpRequired(DomainError):
    """The action needs a fresh password (and code) check: POST /api/auth/step-up first."""

    code = "step_up_required"
    status = 401


class Erased(DomainError):
    """The case's personal data was erased; only its tombstone remains."""

    code = "erased"
    status = 409

"""Requests for information: staff ask the applicant a question; the applicant answers from the status page.

open → answered → closed (staff are done with the answer), or open → withdrawn (staff no longer need it).
The question and the answer are sealed under the case's data key. The applicant proves who they are
with the receipt and passphrase, through the same throttled check as the status page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from safepassage.domain.errors import Conflict, IllegalTransition, InvalidInput, NotFound, StaleVersion
from safepassage.domain.person import clean_text
from safepassage.domain.stages import CLOSED, Stage
from safepassage.security.access import case_for_read, case_for_update
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.services import documents, intake
from safepassage.services.documents import DocumentInfo, Upload
from safepassage.services.views import OpenRequest
from safepassage.store.models import Case, new_id
from safepassage.store.models_documents import InformationRequestRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

MAX_QUESTION = 4_000
MAX_ANSWER = 20_000
MAX_DUE_DAYS = 366
TABLE = "information_requests"
REQUEST_NOT_FOUND = "No such request for information on this case."
ALREADY_ANSWERED = "This request was already answered or is no longer open; nothing was changed."


@dataclass(frozen=True)
class RequestView:
    """A request for information as staff see it, with the answer and its documents."""

    id: str
    status: str
    question: str
    due_on: date | None
    asked_by: str | None
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    documents: list[DocumentInfo]


def _text(value: str, *, what: str, limit: int) -> str:
    text = clean_text(value, field_name=what, limit=limit)
    if not text:
        raise InvalidInput(f"The {what.lower()} cannot be empty.")
    return text


def check_due(due_on: date | None) -> date | None:
    """A due date must be from today to a year ahead."""
    if due_on is None:
        return None
    today = utcnow().date()
    if not today <= due_on <= today + timedelta(days=MAX_DUE_DAYS):
        raise InvalidInput("The due date must be between today and a year from now.")
    return due_on


def _check_version(case: Case, expected: int) -> None:
    if case.version != expected:
        raise StaleVersion(
            f"This case was changed by someone else (your version {expected}, current {case.version}). "
            "Reload it and try again; nothing was changed."
        )


def ask(
    uow: UnitOfWork, *, actor: Actor, case_id: str, question: str, due_on: date | None, expected_version: int
) -> str:
    """Ask the applicant a question on an open case; returns the request id."""
    text = _text(question, what="Question", limit=MAX_QUESTION)
    due = check_due(due_on)
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.REQUEST_INFO)
        _check_version(case, expected_version)
        if Stage(case.stage) in CLOSED or case.erased_at is not None:
            raise IllegalTransition("This case is closed; questions can only be asked on open cases.")
        rid = new_id()
        sealed = uow.keys.for_case(case).seal_json({"text": text}, table=TABLE, column="question", row_id=rid)
        uow.session.add(InformationRequestRow(id=rid, case_id=case.id, status="open", question=sealed, due_on=due,
                                              asked_by=actor.user_id, asked_at=utcnow()))
        case.updated_at = utcnow()  # the applicant now has something to do: the case changed
        uow.audit.record(actor, AuditEvent.INFO_REQUESTED, "case", case.id, fields=("documents", f"request:{rid}"))
        uow.commit()
        return rid


def close(uow: UnitOfWork, *, actor: Actor, case_id: str, request_id: str) -> str:
    """Staff are done with a request: an answered one is closed, an open one withdrawn. Returns the new status."""
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.REQUEST_INFO)
        row = uow.session.get(InformationRequestRow, request_id, with_for_update=True)
        if row is None or row.case_id != case.id:
            raise NotFound(REQUEST_NOT_FOUND)
        if row.status not in ("open", "answered"):
            raise Conflict("This request is already closed; nothing was changed.")
        row.status = "closed" if row.status == "answered" else "withdrawn"
        row.closed_by, row.closed_at = actor.user_id, utcnow()
        uow.audit.record(actor, AuditEvent.INFO_CLOSED, "case", case.id, fields=("documents", f"request:{row.id}"))
        uow.commit()
        return row.status


def for_case(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[RequestView]:
    """Every request on a case, newest first, with answers and their documents (an audited read)."""
    documents.require_documents(actor)
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.DOCUMENTS,))
        if case.erased_at is not None:
            uow.commit()
            return []
        dk = uow.keys.for_case(case)
        docs = documents.infos(uow, case)
        rows = uow.session.scalars(
            select(InformationRequestRow)
            .where(InformationRequestRow.case_id == case.id)
            .order_by(InformationRequestRow.asked_at.desc(), InformationRequestRow.id)
        ).all()
        out = [
            RequestView(
                r.id, r.status, dk.open_json(r.question, table=TABLE, column="question", row_id=r.id)["text"],
                r.due_on, r.asked_by, r.asked_at,
                dk.open_json(r.answer, table=TABLE, column="answer", row_id=r.id)["text"] if r.answer else None,
                r.answered_at, r.closed_at, [d for d in docs if d.request_id == r.id],
            )
            for r in rows
        ]
        uow.commit()
        return out


def open_requests(uow: UnitOfWork, case: Case) -> tuple[OpenRequest, ...]:
    """What the applicant is asked and has not answered yet, oldest first (inside an open transaction)."""
    if Stage(case.stage) in CLOSED or case.erased_at is not None:
        return ()
    rows = uow.session.scalars(
        select(InformationRequestRow)
        .where(InformationRequestRow.case_id == case.id, InformationRequestRow.status == "open")
        .order_by(InformationRequestRow.asked_at, InformationRequestRow.id)
    ).all()
    if not rows:
        return ()
    dk = uow.keys.for_case(case)
    return tuple(
        OpenRequest(r.id, dk.open_json(r.question, table=TABLE, column="question", row_id=r.id)["text"],
                    r.due_on, r.asked_at)
        for r in rows
    )


def check_answer(text: str, upload: Upload | None) -> str:
    """The cleaned answer text, or InvalidInput for an empty/too long text or an unacceptable file."""
    answer = _text(text, what="Answer", limit=MAX_ANSWER)
    if upload is not None:
        documents.check_upload(upload)
    return answer


def answer(
    uow: UnitOfWork, *, receipt: str, passphrase: str, request_id: str, text: str, upload: Upload | None = None
) -> str:
    """The applicant answers an open request (optionally with one document); returns the request id.

    A wrong receipt or passphrase gets the status page's answer (throttled); a request that is not on
    this case answers like one that does not exist.
    """
    cleaned = check_answer(text, upload)
    actor = Actor.applicant()
    with uow:
        found = intake._case_by_credentials(uow, receipt, passphrase)  # the one throttled credentials check
        case = uow.get_case(found.id, for_update=True)
        assert case is not None
        if Stage(case.stage) in CLOSED or case.erased_at is not None:
            raise IllegalTransition("This application is closed; nothing was changed.")
        row = uow.session.get(InformationRequestRow, request_id, with_for_update=True)
        if row is None or row.case_id != case.id:
            raise NotFound(REQUEST_NOT_FOUND)
        if row.status != "open":
            raise Conflict(ALREADY_ANSWERED)
        dk = uow.keys.for_case(case)
        row.answer = dk.seal_json({"text": cleaned}, table=TABLE, column="answer", row_id=row.id)
        row.status, row.answered_at = "answered", utcnow()
        uow.session.flush()
        if upload is not None:
            documents.store(uow, dk, case, upload, actor=actor, request_id=row.id)
        case.updated_at = utcnow()
        uow.audit.record(actor, AuditEvent.INFO_ANSWERED, "case", case.id, fields=("documents", f"request:{row.id}"))
        uow.commit()
        return row.id

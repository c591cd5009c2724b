"""The JSON API under /api: parse, call one service, shape the answer. No rules, no ORM."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from safepassage.domain.errors import InvalidInput
from safepassage.domain.pathways import Language, Pathway, Priority
from safepassage.domain.stages import Stage
from safepassage.security.policy import Role
from safepassage.services import casework, erasure, identity, intake, staff
from safepassage.services.views import CaseSummary, Receipt, Status
from safepassage.store.uow import Actor
from safepassage.web import schemas as s
from safepassage.web.deps import DB, Staff, Token, UoW
from safepassage.web.errors import error_response
from safepassage.web.schemas_documents import OpenRequestOut

# 400 (a body that is not UTF-8) and 413 (a body over the size cap) can answer any request, so are documented too.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422, 429)
}
router = APIRouter(prefix="/api", responses=ERRORS)


def _receipt(r: Receipt) -> s.ReceiptOut:
    return s.ReceiptOut(receipt=r.receipt, passphrase=r.passphrase, case_id=r.case_id)


def _status(st: Status) -> s.StatusOut:
    return s.StatusOut(
        receipt=st.receipt,
        stage=st.stage,
        updated_at=st.updated_at,
        next_step={"code": st.next_step_code, "message": st.next_step},
        information_requests=[OpenRequestOut.of(r) for r in st.open_requests],
    )


def _summary(c: CaseSummary) -> s.CaseSummaryOut:
    return s.CaseSummaryOut(**asdict(c))


@router.post("/applications", status_code=201, response_model=s.ReceiptOut, tags=["applicants"])
def submit_application(body: s.ApplicationIn, uow: UoW) -> s.ReceiptOut:
    """Apply for protection. The receipt and passphrase are shown once: write them down."""
    return _receipt(intake.submit_application(uow, actor=Actor.applicant(), application=body.to_domain()))


@router.post("/status", response_model=s.StatusOut, tags=["applicants"])
def status(body: s.CredentialsIn, uow: UoW) -> s.StatusOut:
    """Where your application stands and what you need to do next."""
    st = intake.check_status(uow, receipt=body.receipt, passphrase=body.passphrase)
    return _status(st)


@router.post("/withdrawals", response_model=s.StatusOut, tags=["applicants"])
def withdraw(body: s.CredentialsIn, uow: UoW) -> s.StatusOut:
    """Withdraw your own open application."""
    st = intake.withdraw_by_applicant(uow, receipt=body.receipt, passphrase=body.passphrase)
    return _status(st)


@router.post("/auth/login", response_model=s.SessionOut, tags=["auth"])
def login(body: s.LoginIn, uow: UoW, request: Request) -> s.SessionOut:
    """Log in with password and TOTP code; send the token back as `Authorization: Bearer <token>`."""
    client = request.client.host if request.client else ""  # used only as a keyed hash, for throttling
    sess = staff.login(uow, username=body.username, password=body.password, code=body.totp, client=client)
    return s.SessionOut(token=sess.token, role=sess.role, user_id=sess.user_id, expires_at=sess.expires_at)


@router.post("/auth/step-up", status_code=204, tags=["auth"])
def step_up(body: s.StepUpIn, actor: Staff, token: Token, uow: UoW) -> None:
    """Re-authenticate to see identity and family data for the next 15 minutes."""
    staff.step_up(uow, actor=actor, token=token, password=body.password, code=body.totp)


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(actor: Staff, token: Token, uow: UoW) -> None:
    """End this session."""
    staff.logout(uow, actor=actor, token=token)


@router.post("/users", status_code=201, response_model=s.UserCreatedOut, tags=["admin"])
def create_user(body: s.UserIn, actor: Staff, uow: UoW) -> s.UserCreatedOut:
    """Create a staff account (admins only)."""
    try:
        role = Role(body.role)
    except ValueError:
        raise InvalidInput(f"Unknown role. Roles: {', '.join(r.value for r in Role)}.") from None
    created = staff.create_user(uow, actor=actor, username=body.username, role=role, password=body.password)
    return s.UserCreatedOut(id=created.user_id, totp_uri=created.totp_uri)


@router.get("/cases", response_model=s.CasePageOut, tags=["cases"])
def list_cases(
    actor: Staff,
    uow: UoW,
    stage: Stage | None = None,
    pathway: Pathway | None = None,
    priority: Priority | None = None,
    language: Language | None = None,
    assignee: Annotated[
        str | None, Query(max_length=36, pattern=r"^(none|[0-9a-fA-F-]{36})$", description="user id, or 'none'")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> s.CasePageOut:
    """The case queue: filter by stage, pathway, priority, language, assignee; paginated."""
    where = casework.QueueFilter(stage, pathway, priority, assignee, language.value if language else None)
    page = casework.list_cases(uow, actor=actor, where=where, limit=limit, offset=offset)
    return s.CasePageOut(
        items=[_summary(c) for c in page.items], total=page.total, limit=page.limit, offset=page.offset
    )


@router.post("/cases", status_code=201, response_model=s.ReceiptOut, tags=["cases"])
def record_application(body: s.StaffApplicationIn, actor: Staff, uow: UoW) -> s.ReceiptOut:
    """Record an application on someone's behalf (hotline, chat, in person)."""
    return _receipt(intake.submit_application(uow, actor=actor, application=body.to_domain(body.channel)))


@router.post("/surrender-requests", status_code=201, response_model=s.ReceiptOut, tags=["cases"])
def surrender_request(body: s.SurrenderIn, actor: Staff, uow: UoW) -> s.ReceiptOut:
    """Record a surrender request taken on the hotline."""
    return _receipt(intake.record_surrender_request(uow, actor=actor, request=body.to_domain()))


@router.get("/cases/{case_id}", response_model=s.CaseDetailOut, tags=["cases"])
def get_case(case_id: UUID, actor: Staff, uow: UoW) -> s.CaseDetailOut:
    """One case, with the fields your role may read."""
    d = casework.case_detail(uow, actor=actor, case_id=str(case_id))
    return s.CaseDetailOut(
        **asdict(d.summary),
        allowed_transitions=d.allowed_transitions,
        timeline=[asdict(t) for t in d.timeline],
        visible_fields=d.visible_fields,
        principal=d.principal,
        family=d.family,
        military=d.military,
        narrative=d.narrative,
        notes=d.notes,
        surrender=d.surrender,
        step_up_required=d.step_up_required,
        possible_duplicates=d.possible_duplicates,
    )


@router.post("/cases/{case_id}/transitions", response_model=s.CaseSummaryOut, tags=["cases"])
def transition(case_id: UUID, body: s.TransitionIn, actor: Staff, uow: UoW) -> s.CaseSummaryOut:
    """Move a case to another stage (409 if illegal or if someone changed it since you read it)."""
    return _summary(
        casework.move_case(uow, actor=actor, case_id=str(case_id), to=body.to, expected_version=body.version)
    )


@router.post("/cases/{case_id}/assignment", response_model=s.CaseSummaryOut, tags=["cases"])
def assign(case_id: UUID, body: s.AssignmentIn, actor: Staff, uow: UoW) -> s.CaseSummaryOut:
    """Assign the case to a caseworker, or unassign it with null."""
    return _summary(
        casework.assign_case(
            uow, actor=actor, case_id=str(case_id), assignee_id=body.assignee_id, expected_version=body.version
        )
    )


@router.post("/cases/{case_id}/notes", status_code=201, response_model=s.IdOut, tags=["cases"])
def add_note(case_id: UUID, body: s.NoteIn, actor: Staff, uow: UoW) -> s.IdOut:
    """Add a note to the case."""
    return s.IdOut(id=casework.add_note(uow, actor=actor, case_id=str(case_id), text=body.text))


@router.post("/cases/{case_id}/family", status_code=201, response_model=s.IdOut, tags=["cases"])
def link_family(case_id: UUID, body: s.FamilyLinkIn, actor: Staff, uow: UoW) -> s.IdOut:
    """Add a family member to the case."""
    member_id = casework.add_family_member(
        uow, actor=actor, case_id=str(case_id), member=body.to_domain(), expected_version=body.version
    )
    return s.IdOut(id=member_id)


@router.post("/search/persons", response_model=s.CasePageOut, tags=["cases"])
def search_persons(body: s.PersonSearchIn, actor: Staff, uow: UoW, db: DB) -> s.CasePageOut:
    """Find cases by a person's name in any spelling (blind indexes: no plaintext is searched)."""
    found = identity.search_persons(
        uow, actor=actor, first=body.first_name, last=body.last_name, birth_year=body.birth_year
    )
    items = [_summary(c) for c in identity.summaries(db.uow(readonly=True), found)]
    return s.CasePageOut(items=items, total=len(items), limit=identity.MAX_MATCHES, offset=0)


@router.post("/cases/{case_id}/erasure-requests", status_code=201, response_model=s.IdOut, tags=["data protection"])
def request_erasure(case_id: UUID, body: s.ErasureIn, actor: Staff, uow: UoW) -> s.IdOut:
    """Ask for a case's personal data to be destroyed; another person must approve."""
    return s.IdOut(id=erasure.request_erasure(uow, actor=actor, case_id=str(case_id), reason=body.reason))


@router.post("/retention/plans", status_code=201, response_model=s.RetentionPlanOut, tags=["data protection"])
def plan_retention(actor: Staff, uow: UoW) -> s.RetentionPlanOut:
    """Collect the closed cases past their retention period into one request for approval."""
    request_id, count = erasure.plan_retention(uow, actor=actor)
    return s.RetentionPlanOut(id=request_id, cases=count)


@router.post("/erasure-requests/{request_id}/approval", response_model=s.ErasedOut, tags=["data protection"])
def approve_erasure(request_id: UUID, actor: Staff, uow: UoW) -> s.ErasedOut:
    """Approve someone else's erasure or retention request: the data is destroyed now."""
    return s.ErasedOut(erased=erasure.approve_erasure(uow, actor=actor, request_id=str(request_id)))


__all__ = ["error_response", "router"]

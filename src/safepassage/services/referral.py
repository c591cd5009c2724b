"""Referral for prosecution: asked for by one officer, approved by a second, exported as a signed package.

A referral needs an *approved* Art. 1F exclusion record about the person (serious reasons established by
two people); it does not wait for the case decision, because evidence for prosecutors should not wait
for an asylum appeal. The export needs the referral's approval and a fresh re-authentication (step-up);
every export, and every refused attempt, is audited. The package holds only what prosecutors need (see
`package_members`): no family members, no contact handles, no receipt or passphrase, no notes the record
does not cite.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from safepassage.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion, StepUpRequired
from safepassage.security.access import case_for_read, case_for_update, require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.services import exclusion, referral_package
from safepassage.store.models import Case, NoteRow, PersonRow, new_id
from safepassage.store.models_exclusion import ExclusionRecord, Referral
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

MAX_AUTHORITY = 300
#: The person's identity and service as prosecutors need them (allow-list: the narrative is a statement and
#: goes in only when the record cites it; relationship and family never).
_NAME_KEYS = ("first", "patronymic", "last", "latin", "aliases")
_PERSON_KEYS = ("birth_date", "birthplace", "citizenship", "gender", "military")
CONFIRMED = frozenset({"confirmed"})


@dataclass(frozen=True)
class ReferralView:
    """A referral with its sealed content opened, for those who may read exclusion material."""

    id: str
    case_id: str
    person_id: str
    record_id: str
    status: str
    requested_by: str
    approved_by: str | None
    requested_at: datetime
    decided_at: datetime | None
    exported_at: datetime | None
    export_count: int
    version: int
    authority: str
    grounds: str
    review_reasons: str


@dataclass(frozen=True)
class ExportedPackage:
    """A built, audited referral package."""

    referral_id: str
    filename: str
    data: bytes
    sha256: str
    manifest: dict[str, Any]


def _seal(uow: UnitOfWork, case: Case, row_id: str, value: Any) -> bytes:
    return uow.keys.for_case(case).seal_json(value, table="referrals", column="content", row_id=row_id)


def _view(uow: UnitOfWork, case: Case, r: Referral) -> ReferralView:
    c = uow.keys.for_case(case).open_json(r.content, table="referrals", column="content", row_id=r.id)
    return ReferralView(
        r.id, r.case_id, r.person_id, r.record_id, r.status, r.requested_by, r.approved_by, r.requested_at,
        r.decided_at, r.exported_at, r.export_count, r.version, c["authority"], c["grounds"], c.get("review", ""),
    )


def _staff(actor: Actor) -> None:
    if actor.kind != "staff" or not actor.user_id:
        raise Forbidden("Referrals are asked for and approved by people, never automatically.")


def request_referral(
    uow: UnitOfWork, *, actor: Actor, case_id: str, authority: str, grounds: str = "", person_id: str | None = None
) -> ReferralView:
    """Ask for a referral of a person with an approved exclusion record; a second officer must approve it."""
    _staff(actor)
    errors: dict[str, str] = {}
    auth, problem = exclusion.clean(authority, MAX_AUTHORITY)
    if problem or not auth:
        errors["authority"] = problem or "Name the prosecuting authority the referral goes to."
    why, problem = exclusion.clean(grounds, exclusion.LONG)
    if problem:
        errors["grounds"] = problem
    if errors:
        raise exclusion.RecordInvalid(errors)
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.REFER)
        exclusion.fresh(actor)
        pid = exclusion.person_on_case(case, person_id)
        record = exclusion.approved_record_for(uow, case.id, pid)
        if record is None:
            raise Conflict("A referral needs an approved exclusion record about this person first.")
        existing = uow.session.scalars(
            select(Referral.status).where(Referral.record_id == record.id, Referral.status != "declined")
        ).first()
        if existing is not None:
            raise Conflict(f"This person already has a referral ({existing}); nothing was changed.")
        rid = new_id()
        ref = Referral(id=rid, case_id=case.id, person_id=pid, record_id=record.id, status="requested",
                       requested_by=actor.user_id or "", requested_at=utcnow(),
                       content=_seal(uow, case, rid, {"authority": auth, "grounds": why}))
        uow.session.add(ref)
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.REFERRAL_REQUESTED, "referral", rid, fields=("exclusion",))
        view = _view(uow, case, ref)
        uow.commit()
        return view


def _referral(uow: UnitOfWork, case: Case, referral_id: str) -> Referral:
    ref = uow.session.scalars(
        select(Referral).where(Referral.id == referral_id, Referral.case_id == case.id).with_for_update()
    ).first()
    if ref is None:
        raise NotFound("No such referral on this case.")
    return ref


def review_referral(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    referral_id: str,
    approve: bool,
    reasons: str = "",
    expected_version: int | None = None,
) -> ReferralView:
    """A second officer approves or declines a requested referral; never the one who asked for it."""
    _staff(actor)
    text, problem = exclusion.clean(reasons, exclusion.LONG)
    if problem:
        raise exclusion.RecordInvalid({"reasons": problem})
    if not approve and not text:
        raise exclusion.RecordInvalid({"reasons": "Say why the referral is declined."})
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.APPROVE_REFERRAL)
        exclusion.fresh(actor)
        ref = _referral(uow, case, referral_id)
        if expected_version is not None and ref.version != expected_version:
            raise StaleVersion("This referral was changed by someone else. Reload it; nothing was changed.")
        if ref.requested_by == actor.user_id:
            raise Forbidden("Four eyes: the officer who asked for a referral cannot approve or decline it.")
        if ref.status != "requested":
            raise Conflict("Only a requested referral can be approved or declined.")
        if exclusion.approved_record_for(uow, case.id, ref.person_id) is None:
            raise Conflict("The exclusion record behind this referral is no longer approved.")
        content = _view(uow, case, ref)
        ref.status = "approved" if approve else "declined"
        ref.approved_by, ref.decided_at = actor.user_id, utcnow()
        ref.content = _seal(uow, case, ref.id, {"authority": content.authority, "grounds": content.grounds,
                                                "review": text})
        uow.session.flush()
        event = AuditEvent.REFERRAL_APPROVED if approve else AuditEvent.REFERRAL_DECLINED
        uow.audit.record(actor, event, "referral", ref.id, fields=("status",))
        view = _view(uow, case, ref)
        uow.commit()
        return view


def referrals_for_case(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[ReferralView]:
    """Every referral on a case (an audited read of exclusion material)."""
    exclusion.may_read(actor)
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.CORE, FieldClass.EXCLUSION))
        rows = uow.session.scalars(select(Referral).where(Referral.case_id == case.id)
                                   .order_by(Referral.requested_at)).all()
        views = [_view(uow, case, r) for r in rows] if case.erased_at is None else []
        uow.commit()
        return views


# ---- export ---------------------------------------------------------------------------------------------

#: Sources of evidence kept by other areas: (uow, actor, case_id) -> rows. Set by `_sources()`.
Source = Callable[..., list[Any]]


def _sources() -> tuple[Source | None, Source | None]:
    """Screening evidence (issue 6) and document custody (issue 5), where those areas are installed."""
    try:
        from safepassage.services import case_screening
    except ImportError:  # pragma: no cover - the area is not part of this build
        screening: Source | None = None
    else:
        screening = case_screening.evidence
    try:
        from safepassage.services import documents
    except ImportError:  # pragma: no cover
        custody: Source | None = None
    else:
        custody = documents.custody_records
    return screening, custody


def _refuse(uow: UnitOfWork, actor: Actor, object_id: str | None, reason: str, exc: Exception) -> NoReturn:
    """Audit a refused export in its own transaction, then raise."""
    with uow:
        uow.audit.record(actor, AuditEvent.REFERRAL_EXPORT_REFUSED, "referral", object_id, fields=(reason,))
        uow.commit()
    raise exc


def export_referral(
    uow: UnitOfWork, *, actor: Actor, case_id: str, key: Ed25519PrivateKey, referral_id: str | None = None
) -> ExportedPackage:
    """Build the signed package of an approved referral; needs step-up. Exports and refusals are audited."""
    try:
        require(actor, Action.EXPORT_REFERRAL, (FieldClass.EXCLUSION,))
        _staff(actor)
    except Forbidden as exc:
        _refuse(uow, actor, referral_id, "role", exc)
    if not actor.stepped_up:
        _refuse(uow, actor, referral_id, "step_up",
                StepUpRequired("Confirm your password and code again before exporting a referral."))
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.CORE, FieldClass.EXCLUSION))
        stmt = select(Referral).where(Referral.case_id == case.id, Referral.status == "approved")
        if referral_id is not None:
            stmt = select(Referral).where(Referral.case_id == case.id, Referral.id == referral_id)
        ref = uow.session.scalars(stmt.order_by(Referral.decided_at.desc())).first()
        ref_id, approved = (ref.id, ref.status == "approved") if ref is not None else (referral_id, False)
        record = uow.session.get(ExclusionRecord, ref.record_id) if ref is not None else None
        revoked = record is not None and record.status == "revoked"
        parts = _own_parts(uow, case, ref) if ref is not None and approved and not revoked else None
        uow.commit()
    if revoked:
        _refuse(uow, actor, ref_id, "record_revoked",
                Conflict("The exclusion record behind this referral was revoked: it can no longer be exported. "
                         "If it was exported before, tell the authority that received it."))
    if parts is None:
        _refuse(uow, actor, ref_id, "not_approved",
                Conflict("Only an approved referral can be exported: ask a second officer to approve it first."))
    assert ref_id is not None
    members, refs = parts
    screening, custody = _sources()
    members["screening_evidence"] = _screening(uow, actor, case_id, screening, members, refs)
    members["documents"] = _custody(uow, actor, case_id, custody, refs)
    now = utcnow()
    package_id = new_id()
    members["referral"]["exported_by"], members["referral"]["exported_at"] = actor.user_id, now.isoformat()
    data, manifest = referral_package.build(members, key=key, package_id=package_id, created_at=now.isoformat())
    digest = hashlib.sha256(data).hexdigest()
    with uow:
        ref = uow.session.get(Referral, ref_id)
        assert ref is not None
        ref.exported_at = ref.exported_at or now
        ref.export_count += 1
        uow.audit.record(actor, AuditEvent.REFERRAL_EXPORTED, "referral", ref_id,
                         fields=("exclusion", f"package:{package_id}", f"sha256:{digest}"))
        uow.commit()  # the export exists only once its audit entry does
    return ExportedPackage(ref_id, f"referral-{ref_id[:8]}-{now:%Y%m%d}.zip", data, digest, manifest)


def _own_parts(uow: UnitOfWork, case: Case, ref: Referral) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The members this area holds: referral, record, person, cited statements (and the cited refs)."""
    record = exclusion.open_content(uow, case, ref.record_id)
    view = _view(uow, case, ref)
    refs: list[dict[str, str]] = record.content["evidence"]
    row = uow.session.get(PersonRow, ref.person_id)
    if row is None or row.case_id != case.id:
        raise NotFound("The person referred is no longer on this case.")
    dk = uow.keys.for_case(case)
    stored = dk.open_json(row.payload, table="persons", column="payload", row_id=row.id)["person"]
    person = {"person_id": row.id, "name": {k: stored["name"].get(k) for k in _NAME_KEYS},
              **{k: stored.get(k) for k in _PERSON_KEYS}}
    statements: list[dict[str, Any]] = []
    cited = {r["id"] for r in refs if r["kind"] == "statement"}
    if exclusion.NARRATIVE_REF in cited:
        statements.append({"id": exclusion.NARRATIVE_REF, "kind": "applicant_account", "person_id": row.id,
                           "text": stored.get("narrative", "")})
    notes = uow.session.scalars(select(NoteRow).where(NoteRow.case_id == case.id, NoteRow.id.in_(cited))).all()
    for n in sorted(notes, key=lambda n: n.created_at):
        text = dk.decrypt(n.body, table="notes", column="body", row_id=n.id).decode()
        statements.append({"id": n.id, "kind": "recorded_statement", "recorded_by": n.author_id,
                           "recorded_at": n.created_at.isoformat(), "text": text})
    members: dict[str, Any] = {
        "referral": {"id": ref.id, "case_id": case.id, "person_id": ref.person_id, "authority": view.authority,
                     "grounds": view.grounds, "requested_by": ref.requested_by,
                     "requested_at": ref.requested_at.isoformat(), "approved_by": ref.approved_by,
                     "approved_at": ref.decided_at.isoformat() if ref.decided_at else None},
        "exclusion_record": {"id": record.id, "category": record.category, "status": record.status,
                             "standard": "serious reasons for considering (Refugee Convention Art. 1F)",
                             "author_id": record.author_id, "approver_id": record.approver_id,
                             "submitted_at": record.submitted_at, "approved_at": record.reviewed_at,
                             **record.content},
        "person": person,
        "statements": statements,
    }
    return members, refs


def _screening(uow: UnitOfWork, actor: Actor, case_id: str, source: Source | None, members: dict[str, Any],
               refs: list[dict[str, str]]) -> dict[str, Any]:
    """The hits about the person referred that were confirmed or that the record cites (no false positives)."""
    if source is None:
        return {"available": False, "hits": []}
    person_id = members["person"]["person_id"]
    cited = {r["id"] for r in refs if r["kind"] == "screening_hit"}
    hits = [h for h in source(uow, actor=actor, case_id=case_id)
            if h.get("person_id") in (None, person_id) and (h.get("disposition") in CONFIRMED or h["id"] in cited)]
    return {"available": True, "hits": hits,
            "unresolved_references": sorted(cited - {h["id"] for h in hits})}


def _custody(uow: UnitOfWork, actor: Actor, case_id: str, source: Source | None,
             refs: list[dict[str, str]]) -> dict[str, Any]:
    """SHA-256, size, type and arrival of each document the record cites (chain of custody; no content)."""
    cited = {r["id"] for r in refs if r["kind"] == "document"}
    if source is None:
        return {"available": False, "documents": [], "unresolved_references": sorted(cited)}
    rows = [_plain(c) for c in source(uow, actor=actor, case_id=case_id)]
    docs = [d for d in rows if d.get("document_id") in cited]
    return {"available": True, "documents": docs,
            "unresolved_references": sorted(cited - {d["document_id"] for d in docs})}


def _plain(row: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    data: dict[str, Any] = asdict(row) if is_dataclass(row) and not isinstance(row, type) else dict(row)
    return data


def signer(signing_seed: bytes) -> Ed25519PrivateKey:
    """The office's referral signing key from its seed (settings: SAFEPASSAGE_REFERRAL_KEY)."""
    if len(signing_seed) != 32:
        raise InvalidInput("The referral signing key must be 32 bytes.")
    return referral_package.signing_key(signing_seed)

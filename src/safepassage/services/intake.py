"""Intake: applications (self-service or on someone's behalf), surrender requests, applicant status."""

from __future__ import annotations

from safepassage.domain.case import NEXT_STEPS, Application, FamilyMember, SurrenderRequest
from safepassage.domain.errors import Unauthenticated
from safepassage.domain.pathways import Channel, Pathway, Priority, initial_priority
from safepassage.domain.person import Person
from safepassage.domain.receipt import new_receipt, normalise_receipt
from safepassage.domain.stages import Stage, check_transition
from safepassage.security import throttle
from safepassage.security.access import require
from safepassage.security.audit import AuditEvent
from safepassage.security.crypto import DataKey
from safepassage.security.policy import Action, FieldClass
from safepassage.security.secrets import constant_eq, derive_key, new_passphrase, passphrase_hash
from safepassage.services import duplicates, identity
from safepassage.services.views import Receipt, Status
from safepassage.store.models import Case, PersonRow, StageEvent, SurrenderRow, new_id
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

WRONG_CREDENTIALS = "The receipt code or the passphrase is wrong."


def encode_pathways(pathways: frozenset[Pathway]) -> str:
    """Store pathways as '|a|b|' so both databases can filter on one with LIKE."""
    return "|" + "|".join(sorted(p.value for p in pathways)) + "|"


def decode_pathways(stored: str) -> list[str]:
    """Inverse of encode_pathways."""
    return [p for p in stored.split("|") if p]


def _passphrase_key(uow: UnitOfWork) -> bytes:
    return derive_key(uow.secret_key, "applicant-passphrase")


def person_row(dk: DataKey, case_id: str, person: Person, *, principal: bool, relationship: str = "") -> PersonRow:
    """A person row whose every personal field is sealed under the case's data key."""
    row_id = new_id()
    payload = {"person": person.to_dict(), "relationship": relationship}
    blob = dk.seal_json(payload, table="persons", column="payload", row_id=row_id)
    return PersonRow(id=row_id, case_id=case_id, is_principal=principal, payload=blob)


def _new_case(
    uow: UnitOfWork, *, stage: Stage, pathways: frozenset[Pathway], priority: Priority, channel: Channel, language: str
) -> tuple[Case, DataKey, str]:
    dk = uow.keys.create()
    receipt = new_receipt()
    passphrase = new_passphrase()
    now = utcnow()
    case = Case(
        id=new_id(),
        receipt=receipt,
        passphrase_hash=passphrase_hash(_passphrase_key(uow), receipt, passphrase),
        stage=stage.value,
        pathways=encode_pathways(pathways),
        priority=priority.value,
        channel=channel.value,
        language=language,
        data_key_id=str(dk.id),
        created_at=now,
        updated_at=now,
        stage_changed_at=now,
    )
    uow.session.add(case)
    uow.session.add(StageEvent(case_id=case.id, from_stage=None, to_stage=stage.value, actor_id=None, at=now))
    return case, dk, passphrase


def submit_application(uow: UnitOfWork, *, actor: Actor, application: Application) -> Receipt:
    """Register an application: by the applicant (web) or by staff on someone's behalf."""
    app = application.validated()
    channel = Channel.WEB
    if actor.kind == "staff":
        require(actor, Action.CREATE, (FieldClass.CORE, FieldClass.IDENTITY, FieldClass.FAMILY))
        channel = app.channel if app.channel is not Channel.WEB else Channel.OPERATOR
    with uow:
        case, dk, passphrase = _new_case(
            uow,
            stage=Stage.RECEIVED,
            pathways=app.pathways,
            priority=initial_priority(app.pathways, summons_received=app.summons_received, at_front=app.at_front),
            channel=channel,
            language=app.language.value,
        )
        uow.session.flush()
        people = [(person_row(dk, case.id, app.person, principal=True), app.person)]
        people += [(_family_row(dk, case.id, member), member.person) for member in app.family]
        uow.session.add_all(row for row, _ in people)
        uow.session.flush()
        for row, person in people:
            identity.index_person(uow, case_id=case.id, person_id=row.id, person=person)
        uow.session.flush()
        duplicates.detect(uow, actor=actor, case=case)  # earlier applications of the same person (issue 6)
        uow.audit.record(
            actor,
            AuditEvent.APPLICATION_SUBMITTED,
            "case",
            case.id,
            fields=("core", "identity", "family") if app.family else ("core", "identity"),
        )
        uow.commit()
        return Receipt(case.id, case.receipt, passphrase)


def _family_row(dk: DataKey, case_id: str, member: FamilyMember) -> PersonRow:
    return person_row(dk, case_id, member.person, principal=False, relationship=member.relationship.value)


def record_surrender_request(uow: UnitOfWork, *, actor: Actor, request: SurrenderRequest) -> Receipt:
    """Record a hotline surrender request with minimal data; it starts the pre-journey."""
    req = request.validated()
    require(actor, Action.CREATE, (FieldClass.CORE, FieldClass.SURRENDER))
    with uow:
        case, dk, passphrase = _new_case(
            uow,
            stage=Stage.SURRENDER_REQUESTED,
            pathways=frozenset({Pathway.SURRENDERING_SOLDIER}),
            priority=Priority.P1,
            channel=Channel.HOTLINE,
            language=req.language.value,
        )
        uow.session.flush()
        payload = {
            "unit": req.unit,
            "sector": req.sector,
            "contact_channel": req.contact_channel,
            "contact_handle": req.contact_handle,
        }
        uow.session.add(
            SurrenderRow(
                case_id=case.id,
                group_size=req.group_size,
                urgency=req.urgency.value,
                payload=dk.seal_json(payload, table="surrender_requests", column="payload", row_id=case.id),
            )
        )
        uow.audit.record(actor, AuditEvent.SURRENDER_REQUESTED, "case", case.id, fields=("core", "surrender"))
        uow.commit()
        return Receipt(case.id, case.receipt, passphrase)


def _case_by_credentials(uow: UnitOfWork, receipt: str, passphrase: str) -> Case:
    code = normalise_receipt(receipt)
    throttle_key = throttle.key(uow.secret_key, "receipt", code)
    throttle.check(uow.session, [(throttle_key, throttle.RECEIPT_LIMIT)])
    case = uow.get_case_by_receipt(code)
    # Compute the hash whether or not the receipt exists: the same work, the same answer.
    digest = passphrase_hash(_passphrase_key(uow), code, passphrase)
    if case is None or not constant_eq(digest, case.passphrase_hash):
        throttle.record(uow.session, [throttle_key])
        uow.commit()
        raise Unauthenticated(WRONG_CREDENTIALS)
    return case


def check_status(uow: UnitOfWork, *, receipt: str, passphrase: str) -> Status:
    """Tell an applicant where their case stands and what they must do next."""
    with uow:
        case = _case_by_credentials(uow, receipt, passphrase)
        code, message = NEXT_STEPS[Stage(case.stage)]
        from safepassage.services import information  # imports this module

        asked = information.open_requests(uow, case)
        from safepassage.services import appeals  # imports this module

        decided = appeals.outcome_of(uow, case)
        return Status(case.receipt, case.stage, code, message, case.updated_at, asked, decided)


def withdraw_by_applicant(uow: UnitOfWork, *, receipt: str, passphrase: str) -> Status:
    """The applicant withdraws their own open application."""
    actor = Actor.applicant()
    with uow:
        case = _case_by_credentials(uow, receipt, passphrase)
        locked = uow.get_case(case.id, for_update=True)
        assert locked is not None
        current = Stage(locked.stage)
        check_transition(current, Stage.WITHDRAWN)
        now = utcnow()
        locked.stage, locked.updated_at, locked.stage_changed_at = Stage.WITHDRAWN.value, now, now
        uow.session.add(
            StageEvent(
                case_id=locked.id, from_stage=current.value, to_stage=Stage.WITHDRAWN.value, actor_id=None, at=now
            )
        )
        uow.audit.record(actor, AuditEvent.CASE_TRANSITIONED, "case", locked.id, fields=("stage",))
        uow.commit()
        code, message = NEXT_STEPS[Stage.WITHDRAWN]
        return Status(locked.receipt, locked.stage, code, message, now)

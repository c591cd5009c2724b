"""Finding people without plaintext: blind-index rows, person search and possible duplicates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from safepassage.domain.errors import InvalidInput, StepUpRequired
from safepassage.domain.person import Person, clean_text
from safepassage.security import blind_index
from safepassage.security.access import require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.services.views import CaseSummary
from safepassage.store.models import BlindIndexRow, Case, PersonRow
from safepassage.store.uow import Actor, Database, UnitOfWork

MAX_MATCHES = 50


def person_tokens(uow: UnitOfWork, person: Person) -> set[tuple[str, str]]:
    """The (kind, token) pairs of one person under the current index key."""
    name = person.name
    pairs = blind_index.name_pairs(name.first, name.last, (*name.latin, *name.aliases))
    year = person.birth_date.year if person.birth_date else None
    return blind_index.tokens(uow.index_key, pairs, year)


def index_person(uow: UnitOfWork, *, case_id: str, person_id: str, person: Person) -> None:
    """Write a person's blind-index rows (inside the caller's transaction)."""
    key_id = blind_index.index_key_id(uow.index_key)
    uow.session.add_all(
        BlindIndexRow(person_id=person_id, case_id=case_id, kind=kind, token=token, key_id=key_id)
        for kind, token in person_tokens(uow, person)
    )


def _matching_cases(uow: UnitOfWork, wanted: set[tuple[str, str]], exclude: str | None = None) -> list[str]:
    """Case ids sharing the most specific tokens given (name + birth year if known, else name)."""
    for kind in ("sn_gn_by", "sn_gn"):
        toks = [t for k, t in wanted if k == kind]
        if not toks:
            continue
        stmt = select(BlindIndexRow.case_id).where(BlindIndexRow.kind == kind, BlindIndexRow.token.in_(toks))
        if exclude:
            stmt = stmt.where(BlindIndexRow.case_id != exclude)
        return sorted(set(uow.session.scalars(stmt.limit(MAX_MATCHES * 4)).all()))[:MAX_MATCHES]
    return []


def possible_duplicates(uow: UnitOfWork, case: Case, persons: list[tuple[PersonRow, dict[str, Any]]]) -> list[str]:
    """Other cases whose people share a name (and birth year) with this case's principal."""
    for row, data in persons:
        if row.is_principal:
            return _matching_cases(uow, person_tokens(uow, Person.from_dict(data["person"])), exclude=case.id)
    return []


def search_persons(uow: UnitOfWork, *, actor: Actor, first: str, last: str, birth_year: int | None) -> list[str]:
    """Case ids whose people match a name in any spelling (and birth year); the search is audited."""
    require(actor, Action.READ, (FieldClass.CORE, FieldClass.IDENTITY))
    if actor.kind == "staff" and not actor.stepped_up:
        raise StepUpRequired("Confirm your password and code first (POST /api/auth/step-up).")
    first, last = clean_text(first, field_name="First name"), clean_text(last, field_name="Last name")
    if not first or not last:
        raise InvalidInput("Give both a first name and a last name.")
    with uow:
        pairs = blind_index.name_pairs(first, last, (f"{first} {last}",))
        found = _matching_cases(uow, blind_index.tokens(uow.index_key, pairs, birth_year))
        uow.audit.record(actor, AuditEvent.PERSON_SEARCHED, "search", None, fields=("identity",))
        uow.commit()
        return found


def reindex(db: Database) -> int:
    """Recompute every blind-index row under the current index key (after rotating it)."""
    from safepassage.services.casework import open_persons

    count = 0
    with db.uow(readonly=True) as uow:
        case_ids = list(uow.session.scalars(select(Case.id).where(Case.erased_at.is_(None))).all())
    for case_id in case_ids:
        with db.uow() as uow:
            case = uow.get_case(case_id, for_update=True)
            if case is None or case.erased_at is not None:
                continue
            # also sweeps rows of erased or removed people: only live people are indexed again
            uow.session.execute(delete(BlindIndexRow).where(BlindIndexRow.case_id == case.id))
            for row, data in open_persons(uow, case):
                index_person(uow, case_id=case.id, person_id=row.id, person=Person.from_dict(data["person"]))
            uow.commit()
            count += 1
    return count


def rows_not_under_current(db: Database) -> int:
    """Blind-index rows made under an earlier index key (zero after a complete re-index)."""
    from sqlalchemy import func

    with db.uow(readonly=True) as uow:
        current = blind_index.index_key_id(uow.index_key)
        return int(
            uow.session.scalar(select(func.count()).select_from(BlindIndexRow).where(BlindIndexRow.key_id != current))
            or 0
        )


def summaries(uow: UnitOfWork, case_ids: list[str]) -> list[CaseSummary]:
    """Core summaries of the given cases."""
    from safepassage.services.casework import summary

    with uow:
        return [summary(c) for c in uow.session.scalars(select(Case).where(Case.id.in_(case_ids))).all()]

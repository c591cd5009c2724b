"""Duplicates and identity resolution: earlier applications of the same person, under any spelling and
through any channel, found with the blind indexes and scored by the screening engine on the decrypted
candidates; staff confirm (same person: the cases are linked) or dismiss.

`people_clusters(uow)` turns confirmed links into one cluster id per case, so statistics count people,
not applications (services/stats.py uses it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select

from safepassage.domain.errors import InvalidInput, NotFound, StaleVersion
from safepassage.domain.person import Person
from safepassage.screening import MATCH_THRESHOLD, compare
from safepassage.security.access import case_for_update
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action
from safepassage.services import identity
from safepassage.services.case_screening import query_of
from safepassage.store.models import BlindIndexRow, Case, PersonRow, new_id
from safepassage.store.models_screening import IdentityLink
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

LINK_NOT_FOUND = "No such possible duplicate."
DECISIONS = ("confirmed", "dismissed")
MAX_CANDIDATES = 50


def _principal(uow: UnitOfWork, case: Case) -> dict[str, Any] | None:
    dk = uow.keys.for_case(case)
    row = uow.session.scalars(select(PersonRow).where(PersonRow.case_id == case.id, PersonRow.is_principal.is_(True))
                              ).first()
    if row is None:
        return None
    person: dict[str, Any] = dk.open_json(row.payload, table="persons", column="payload", row_id=row.id)["person"]
    return person


def _candidates(uow: UnitOfWork, case: Case, person: dict[str, Any]) -> list[str]:
    """Other live cases whose principal shares a surname + given-name token (any spelling)."""
    wanted = [t for k, t in identity.person_tokens(uow, Person.from_dict(person)) if k == "sn_gn"]
    if not wanted:
        return []
    stmt = (select(BlindIndexRow.case_id).join(PersonRow, PersonRow.id == BlindIndexRow.person_id)
            .where(BlindIndexRow.kind == "sn_gn", BlindIndexRow.token.in_(wanted), PersonRow.is_principal.is_(True),
                   BlindIndexRow.case_id != case.id).distinct().limit(MAX_CANDIDATES))
    return list(uow.session.scalars(stmt).all())


def detect(uow: UnitOfWork, *, actor: Actor, case: Case) -> int:
    """Record possible earlier applications of this case's principal (inside the caller's transaction)."""
    person = _principal(uow, case)
    if person is None:
        return 0
    query = query_of(person, "q")
    dk = uow.keys.for_case(case)
    found = 0
    known = set(uow.session.scalars(select(IdentityLink.other_case_id).where(IdentityLink.case_id == case.id)).all())
    for other_id in _candidates(uow, case, person):
        other = uow.session.get(Case, other_id)
        if other is None or other.erased_at is not None or other_id in known:
            continue
        theirs = _principal(uow, other)
        if theirs is None:
            continue
        result = compare(query, query_of(theirs, other_id))
        if result.score < MATCH_THRESHOLD:  # a likely match only: a namesake of another age is not
            continue
        link_id = new_id()
        uow.session.add(IdentityLink(
            id=link_id, case_id=case.id, other_case_id=other_id, score=round(result.score, 4), status="pending",
            detail=dk.seal_json({"explanation": result.explanation.to_dict()}, table="identity_links",
                                column="detail", row_id=link_id)))
        found += 1
    if found:
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.IDENTITY_LINK_FOUND, "case", case.id, fields=("identity",))
    return found


def link_rows(uow: UnitOfWork, case: Case) -> list[dict[str, Any]]:
    """Possible duplicates of a case (either side of a link), with the explanation when this case holds it."""
    rows = uow.session.scalars(select(IdentityLink).where(
        or_(IdentityLink.case_id == case.id, IdentityLink.other_case_id == case.id)).order_by(IdentityLink.created_at))
    out = []
    for link in rows:
        other_id = link.other_case_id if link.case_id == case.id else link.case_id
        other = uow.session.get(Case, other_id)
        explanation = None
        if link.case_id == case.id:
            explanation = uow.keys.for_case(case).open_json(link.detail, table="identity_links", column="detail",
                                                            row_id=link.id)["explanation"]
        out.append({"id": link.id, "other_case_id": other_id, "other_receipt": other.receipt if other else "",
                    "other_channel": other.channel if other else "", "score": link.score, "status": link.status,
                    "explanation": explanation, "decided_by": link.decided_by, "decided_at": link.decided_at})
    return out


def decide_link(uow: UnitOfWork, *, actor: Actor, case_id: str, link_id: str, decision: str) -> dict[str, Any]:
    """Confirm (the same person: the cases are linked) or dismiss a possible duplicate."""
    if decision not in DECISIONS:
        raise InvalidInput(f"Decision must be one of: {', '.join(DECISIONS)}.")
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.LINK_IDENTITY)
        link = uow.session.get(IdentityLink, link_id, with_for_update=True)
        if link is None or case.id not in (link.case_id, link.other_case_id):
            raise NotFound(LINK_NOT_FOUND)
        if link.status != "pending" and link.status != decision:
            raise StaleVersion("Someone already decided this possible duplicate; reload the case. Nothing was changed.")
        link.status, link.decided_by, link.decided_at = decision, actor.user_id, utcnow()
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.IDENTITY_LINK_DECIDED, "identity_link", link.id, fields=("identity",))
        uow.commit()
        return {"id": link.id, "status": link.status}


def clusters(case_ids: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Union-find over confirmed links: every case id → the smallest case id of its person (pure)."""
    parent: dict[str, str] = {c: c for c in case_ids}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {c: root(c) for c in list(parent)}


def people_clusters(uow: UnitOfWork) -> dict[str, str]:
    """case id → cluster id (one per person) for every case; linked applications share a cluster.

    Use `len(set(people_clusters(uow).values()))` to count people. Only confirmed links merge cases.
    Runs inside the caller's `with uow:`; reads ids only (no personal data).
    """
    ids = uow.session.scalars(select(Case.id)).all()
    links = uow.session.execute(select(IdentityLink.case_id, IdentityLink.other_case_id)
                                .where(IdentityLink.status == "confirmed")).all()
    return clusters(ids, links)

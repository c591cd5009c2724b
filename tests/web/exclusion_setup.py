"""Set-up for the generated route tests (authorisation matrix, OpenAPI examples) of the exclusion routes:
the records and referrals a request needs to succeed for a role that is allowed to make it."""

from __future__ import annotations

import uuid
from typing import Any

from safepassage.security.policy import Role
from safepassage.services import exclusion, exclusion_revocation, referral
from safepassage.store.models import User
from safepassage.store.uow import Actor
from safepassage.web.api_exclusion import RECORD_EXAMPLE
from tests.conftest import _PW_HASH, Env


def _other_adjudicator(env: Env) -> Actor:
    uid = str(uuid.uuid4())
    with env.db.uow() as uow:
        uow.session.add(User(id=uid, username=f"adj-{uid[:8]}", role="adjudicator", password_hash=_PW_HASH))
        uow.commit()
    return Actor("staff", "adjudicator", uid)


def submitted_record(env: Env, case_id: str) -> exclusion.RecordView:
    """A record written and submitted by the screening analyst (so any adjudicator may review it)."""
    data = {k: v for k, v in RECORD_EXAMPLE.items() if k != "submit"}
    return exclusion.save_record(env.db.uow(), actor=env.actor(Role.SCREENING_ANALYST), case_id=case_id,
                                 data=data, submit=True)


def approved_record(env: Env, case_id: str) -> exclusion.RecordView:
    """A record by the analyst, approved by a second adjudicator."""
    view = submitted_record(env, case_id)
    return exclusion.review_record(env.db.uow(), actor=_other_adjudicator(env), case_id=case_id, record_id=view.id,
                                   approve=True, reasons="", expected_version=view.version)


def requested_referral(env: Env, case_id: str) -> referral.ReferralView:
    """A referral asked for by another adjudicator than the template one."""
    approved_record(env, case_id)
    return referral.request_referral(env.db.uow(), actor=_other_adjudicator(env), case_id=case_id,
                                     authority="ICC Office of the Prosecutor")


def requested_revocation(env: Env, case_id: str) -> exclusion_revocation.RevocationView:
    """An approved record whose revocation another adjudicator than the template one asked for."""
    record = approved_record(env, case_id)
    return exclusion_revocation.request_revocation(
        env.db.uow(), actor=_other_adjudicator(env), case_id=case_id, record_id=record.id,
        reason="Свидетель отозвал показания", expected_version=record.version)


def body_for(env: Env, method: str, path: str) -> dict[str, Any] | None:
    """A valid body for an exclusion route on the case named in `path` (None for other routes)."""
    if method != "POST" or "/api/cases/" not in path:
        return None
    case_id = path.split("/api/cases/")[1].split("/")[0]
    if path.endswith("/exclusion-records"):
        return dict(RECORD_EXAMPLE)
    if path.endswith("/exclusion-revocations"):
        record = approved_record(env, case_id)
        return {"record_id": record.id, "version": record.version, "reason": "Новые доказательства"}
    if path.endswith("/exclusion-revocation-reviews"):
        revocation = requested_revocation(env, case_id)
        return {"id": revocation.id, "version": revocation.version, "approve": True}
    if path.endswith("/exclusion-reviews"):
        view = submitted_record(env, case_id)
        return {"id": view.id, "version": view.version, "approve": True, "reasons": ""}
    if path.endswith("/referrals"):
        approved_record(env, case_id)
        return {"authority": "ICC Office of the Prosecutor"}
    if path.endswith("/referral-reviews"):
        ref = requested_referral(env, case_id)
        return {"id": ref.id, "version": ref.version, "approve": True}
    return None


def fill_review(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """The review example, about a freshly submitted record."""
    view = submitted_record(live.env, live.case_id)
    return {**ex, "id": view.id, "version": view.version}


def fill_referral(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """The referral example, on a case with an approved record."""
    approved_record(live.env, live.case_id)
    return ex


def fill_referral_review(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """The review example, about a freshly requested referral."""
    ref = requested_referral(live.env, live.case_id)
    return {**ex, "id": ref.id, "version": ref.version}


def fill_revocation(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """The revocation example, about a freshly approved record."""
    record = approved_record(live.env, live.case_id)
    return {**ex, "record_id": record.id, "version": record.version}


def fill_revocation_review(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """The review example, about a revocation another adjudicator asked for."""
    revocation = requested_revocation(live.env, live.case_id)
    return {**ex, "id": revocation.id, "version": revocation.version}


PAGE_USERS = {
    "/console/cases/{case_id}/exclusion": "screening-analyst",
    "/console/cases/{case_id}/exclusion/review": "adjudicator",
    "/console/cases/{case_id}/referrals": "adjudicator",
    "/console/cases/{case_id}/referrals/review": "adjudicator",
    "/console/cases/{case_id}/exclusion/revocations": "adjudicator",
    "/console/cases/{case_id}/exclusion/revocations/review": "adjudicator",
}


def page_user(route: str) -> str | None:
    """The template user whose case page offers the form for an exclusion route (None for other routes)."""
    return PAGE_USERS.get(route)


def prepare_page(env: Env, route: str, case_id: str) -> None:
    """What must exist for the case page to offer the form for `route`."""
    if route.endswith("/exclusion/revocations"):
        approved_record(env, case_id)
    elif route.endswith("/exclusion/revocations/review"):
        requested_revocation(env, case_id)
    elif route.endswith("/exclusion/review"):
        submitted_record(env, case_id)
    elif route.endswith("/referrals"):
        approved_record(env, case_id)
    elif route.endswith("/referrals/review"):
        requested_referral(env, case_id)

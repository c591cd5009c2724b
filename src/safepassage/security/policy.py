"""The single authorisation table: role × action → field classes and scope.

Code, the generated docs (`safepassage policy docs`) and the authorisation-matrix test all read
this table; nothing else decides who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from safepassage.domain.stages import DECIDED, PRE_JOURNEY, Stage


class Role(StrEnum):
    """Staff roles (DESIGN.md §1); applicants are not staff and have no role here."""

    INTAKE_OPERATOR = "intake_operator"
    CASEWORKER = "caseworker"
    SCREENING_ANALYST = "screening_analyst"
    ADJUDICATOR = "adjudicator"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Action(StrEnum):
    """What an actor wants to do."""

    LIST = "list"  # see the case queue
    READ = "read"  # read one case's fields of the given classes
    CREATE = "create"  # record an application or surrender request on someone's behalf
    ARRANGE_SURRENDER = "arrange_surrender"  # move a surrender request along its pre-journey
    TRANSITION = "transition"  # move a case through its working stages (and withdraw it)
    DECIDE = "decide"  # grant, refuse, exclude
    ASSESS = "assess"  # record a case's facts and evaluate it under the eligibility policy
    LODGE_APPEAL = "lodge_appeal"  # lodge an appeal on the applicant's behalf, within the deadline
    ASSIGN = "assign"
    ANNOTATE = "annotate"  # write case notes
    LINK_FAMILY = "link_family"
    READ_AUDIT = "read_audit"
    ERASE = "erase"  # ask for a case's personal data to be destroyed (erasure or retention)
    APPROVE_ERASURE = "approve_erasure"  # the second person: never the one who asked
    MANAGE_USERS = "manage_users"
    VIEW_STATS = "view_stats"  # aggregate statistics: the dashboard and reports (no case content)
    RECORD_ARRIVAL = "record_arrival"  # record that the people of a granted case arrived
    DISPOSE_HIT = "dispose_hit"  # screening hits and incident flags: confirm / false positive / needs info
    LINK_IDENTITY = "link_identity"  # confirm or dismiss a possible earlier application of the same person
    MANAGE_WATCHLISTS = "manage_watchlists"  # import lists, see their versions and diffs (published data)
    MATCH = "match"  # screen names through the yente-compatible match API
    MANAGE_API_TOKENS = "manage_api_tokens"  # create and revoke systems' match-API tokens
    REQUEST_INFO = "request_info"  # ask the applicant a question (and close or withdraw it)
    ATTACH_DOCUMENT = "attach_document"  # upload a document to a case
    RECORD_EXCLUSION = "record_exclusion"  # draft and submit an Art. 1F exclusion record
    APPROVE_EXCLUSION = "approve_exclusion"  # approve or return it: never its author (four eyes)
    REFER = "refer"  # ask for a referral for prosecution of a person with an approved record
    APPROVE_REFERRAL = "approve_referral"  # the second person: never the one who asked
    EXPORT_REFERRAL = "export_referral"  # build the signed package for prosecutors (step-up, approved)
    REVOKE_EXCLUSION = "revoke_exclusion"  # ask for an approved exclusion record to be revoked, with a reason
    APPROVE_REVOCATION = "approve_revocation"  # approve or decline it: never the one who asked (four eyes)


class FieldClass(StrEnum):
    """Classes of case data, by how much harm their disclosure does."""

    NONE = "none"  # no case content (user management, audit metadata)
    CORE = "core"  # stage, pathways, priority, dates, assignee — no person data
    IDENTITY = "identity"  # names, birth data, citizenship
    FAMILY = "family"  # relatives and where they are
    MILITARY = "military"  # unit, rank, deployments
    NARRATIVE = "narrative"  # the applicant's own account
    NOTES = "notes"  # staff notes
    SURRENDER = "surrender"  # surrender logistics: unit, sector, contact handle
    EXCLUSION = "exclusion"  # screening intelligence and Art. 1F material
    DOCUMENTS = "documents"  # uploaded documents, requests for information and the applicant's answers


class Scope(StrEnum):
    """Which cases a grant covers."""

    ANY = "any"
    ASSIGNED = "assigned"  # cases assigned to the actor, or not yet assigned to anyone


@dataclass(frozen=True)
class Grant:
    """Permission for one role and action: which field classes, on which cases."""

    fields: frozenset[FieldClass]
    scope: Scope = Scope.ANY


def _g(*fields: FieldClass, scope: Scope = Scope.ANY) -> Grant:
    return Grant(frozenset(fields), scope)


C, ID, F, M, N, NO, S, X = (
    FieldClass.CORE,
    FieldClass.IDENTITY,
    FieldClass.FAMILY,
    FieldClass.MILITARY,
    FieldClass.NARRATIVE,
    FieldClass.NOTES,
    FieldClass.SURRENDER,
    FieldClass.EXCLUSION,
)

POLICY: dict[Role, dict[Action, Grant]] = {
    Role.INTAKE_OPERATOR: {
        Action.LIST: _g(C),
        Action.READ: _g(C, S),
        Action.CREATE: _g(C, ID, F, M, N, S),
        Action.ARRANGE_SURRENDER: _g(C),
    },
    Role.CASEWORKER: {
        Action.LIST: _g(C),
        Action.READ: _g(C, ID, F, M, N, NO, S, FieldClass.DOCUMENTS),
        Action.REQUEST_INFO: _g(FieldClass.DOCUMENTS, scope=Scope.ASSIGNED),
        Action.ATTACH_DOCUMENT: _g(FieldClass.DOCUMENTS, scope=Scope.ASSIGNED),
        Action.CREATE: _g(C, ID, F, M, N),
        Action.ARRANGE_SURRENDER: _g(C),
        Action.TRANSITION: _g(C, scope=Scope.ASSIGNED),
        Action.ANNOTATE: _g(NO, scope=Scope.ASSIGNED),
        Action.RECORD_ARRIVAL: _g(C, scope=Scope.ASSIGNED),
        Action.LINK_FAMILY: _g(F, scope=Scope.ASSIGNED),
        Action.ASSESS: _g(C, N, scope=Scope.ASSIGNED),
        Action.LODGE_APPEAL: _g(C, scope=Scope.ASSIGNED),
        Action.LINK_IDENTITY: _g(C, ID),
    },
    Role.SCREENING_ANALYST: {
        Action.LIST: _g(C),
        Action.READ: _g(C, ID, M, X, FieldClass.DOCUMENTS),  # identity papers settle hits; answers to its own questions
        Action.REQUEST_INFO: _g(FieldClass.DOCUMENTS),  # "needs info" on a hit: ask the applicant
        Action.TRANSITION: _g(C),
        Action.ANNOTATE: _g(NO),
        Action.RECORD_EXCLUSION: _g(X),
        Action.MANAGE_WATCHLISTS: _g(FieldClass.NONE),
        Action.MATCH: _g(X),
        Action.DISPOSE_HIT: _g(X),
        Action.LINK_IDENTITY: _g(C, ID),
    },
    Role.ADJUDICATOR: {
        Action.LIST: _g(C),
        Action.READ: _g(C, ID, F, M, N, NO, S, X, FieldClass.DOCUMENTS),
        Action.REQUEST_INFO: _g(FieldClass.DOCUMENTS),
        Action.ATTACH_DOCUMENT: _g(FieldClass.DOCUMENTS),
        Action.TRANSITION: _g(C),
        Action.DECIDE: _g(C, X),
        Action.ASSESS: _g(C, N),
        Action.LODGE_APPEAL: _g(C),
        Action.ANNOTATE: _g(NO),
        Action.RECORD_EXCLUSION: _g(X),
        Action.APPROVE_EXCLUSION: _g(X),
        Action.REFER: _g(X),
        Action.APPROVE_REFERRAL: _g(X),
        Action.EXPORT_REFERRAL: _g(X),
        Action.REVOKE_EXCLUSION: _g(X),
        Action.APPROVE_REVOCATION: _g(X),
        Action.MATCH: _g(X),
    },
    Role.SUPERVISOR: {
        Action.LIST: _g(C),
        Action.READ: _g(C),
        Action.ASSIGN: _g(C),
        Action.VIEW_STATS: _g(FieldClass.NONE),
        Action.RECORD_ARRIVAL: _g(C),
    },
    Role.AUDITOR: {
        Action.READ_AUDIT: _g(FieldClass.NONE),
        Action.VIEW_STATS: _g(FieldClass.NONE),
        Action.ERASE: _g(FieldClass.NONE),
        Action.APPROVE_ERASURE: _g(FieldClass.NONE),
    },
    Role.ADMIN: {
        Action.MANAGE_USERS: _g(FieldClass.NONE),
        Action.MANAGE_WATCHLISTS: _g(FieldClass.NONE),
        Action.MANAGE_API_TOKENS: _g(FieldClass.NONE),
    },
}

#: Reads of these classes are written to the audit log.
SENSITIVE = frozenset({ID, F, M, N, X, S, FieldClass.DOCUMENTS})
#: Classes shown only after a recent re-authentication (step-up): all personal data, notes included.
STEP_UP_CLASSES = SENSITIVE | {NO}


def grant(role: Role, action: Action) -> Grant | None:
    """The grant a role holds for an action, or None."""
    return POLICY.get(role, {}).get(action)


def allows(role: Role, action: Action, field: FieldClass = FieldClass.CORE) -> bool:
    """Whether `role` may perform `action` on data of class `field` (on at least some cases)."""
    g = grant(role, action)
    return g is not None and (field in g.fields or (field is FieldClass.NONE and bool(g.fields)))


def readable_fields(role: Role) -> frozenset[FieldClass]:
    """Every field class the role may read."""
    g = grant(role, Action.READ)
    return g.fields if g else frozenset()


def action_for_move(current: Stage, target: Stage) -> Action:
    """Which action a stage change needs: deciding, pre-journey logistics, or ordinary case work."""
    if target in DECIDED:
        return Action.DECIDE
    if current in PRE_JOURNEY and target is not Stage.WITHDRAWN:
        return Action.ARRANGE_SURRENDER
    return Action.TRANSITION

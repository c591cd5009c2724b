"""Every route and the policy action it needs: the authorisation-matrix test is generated from this
and from the policy table. Roles are never named here — only `security/policy.py` says who may act.
"""

from __future__ import annotations

from dataclasses import dataclass

from safepassage.security.policy import Action, FieldClass


@dataclass(frozen=True)
class Rule:
    """What a route needs: nothing (public), any staff session, or a policy action on field classes."""

    action: Action | None = None
    fields: tuple[FieldClass, ...] = (FieldClass.CORE,)
    staff: bool = True
    on_case: bool = False  # the route names a case: roles that cannot see cases get 404, not 403


PUBLIC = Rule(staff=False)
ANY_STAFF = Rule()

ROUTES: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/openapi.json"): PUBLIC,
    ("POST", "/api/applications"): PUBLIC,
    ("POST", "/api/status"): PUBLIC,
    ("POST", "/api/withdrawals"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): ANY_STAFF,
    ("POST", "/api/auth/step-up"): ANY_STAFF,
    ("POST", "/api/users"): Rule(Action.MANAGE_USERS, (FieldClass.NONE,)),
    ("GET", "/api/cases"): Rule(Action.LIST),
    ("POST", "/api/cases"): Rule(Action.CREATE, (FieldClass.CORE, FieldClass.IDENTITY, FieldClass.FAMILY)),
    ("POST", "/api/surrender-requests"): Rule(Action.CREATE, (FieldClass.CORE, FieldClass.SURRENDER)),
    ("GET", "/api/cases/{case_id}"): Rule(Action.READ, on_case=True),
    ("POST", "/api/cases/{case_id}/transitions"): Rule(Action.TRANSITION, on_case=True),
    ("POST", "/api/cases/{case_id}/assignment"): Rule(Action.ASSIGN, on_case=True),
    ("POST", "/api/cases/{case_id}/notes"): Rule(Action.ANNOTATE, (FieldClass.NOTES,), on_case=True),
    ("POST", "/api/cases/{case_id}/family"): Rule(Action.LINK_FAMILY, (FieldClass.FAMILY,), on_case=True),
    ("POST", "/api/cases/{case_id}/erasure-requests"): Rule(Action.ERASE, (FieldClass.NONE,)),
    ("POST", "/api/retention/plans"): Rule(Action.ERASE, (FieldClass.NONE,)),
    ("POST", "/api/search/persons"): Rule(Action.READ, (FieldClass.CORE, FieldClass.IDENTITY)),
    ("POST", "/api/erasure-requests/{request_id}/approval"): Rule(Action.APPROVE_ERASURE, (FieldClass.NONE,)),
    ("GET", "/api/stats"): Rule(Action.VIEW_STATS, (FieldClass.NONE,)),  # statistics (issue 8)
    ("GET", "/api/stats/public"): PUBLIC,
    ("POST", "/api/cases/{case_id}/arrival"): Rule(Action.RECORD_ARRIVAL, on_case=True),
    # case screening, hit review, incident flags, duplicates (web/api_screening.py)
    ("GET", "/api/screening/queue"): Rule(Action.DISPOSE_HIT, (FieldClass.EXCLUSION,)),
    ("GET", "/api/cases/{case_id}/screening"): Rule(Action.READ, (FieldClass.CORE, FieldClass.EXCLUSION), on_case=True),
    ("POST", "/api/cases/{case_id}/screening/dispositions"): Rule(Action.DISPOSE_HIT, (FieldClass.EXCLUSION,),
                                                                  on_case=True),
    ("POST", "/api/cases/{case_id}/screening/acknowledgements"): Rule(Action.DISPOSE_HIT, (FieldClass.EXCLUSION,),
                                                                      on_case=True),
    ("GET", "/api/cases/{case_id}/duplicates"): Rule(Action.READ, (FieldClass.CORE, FieldClass.IDENTITY), on_case=True),
    ("POST", "/api/cases/{case_id}/duplicates/decisions"): Rule(Action.LINK_IDENTITY,
                                                                (FieldClass.CORE, FieldClass.IDENTITY), on_case=True),
    # requests for information and documents (services/information.py, services/documents.py)
    ("POST", "/api/cases/{case_id}/information-requests"): Rule(Action.REQUEST_INFO, (FieldClass.DOCUMENTS,),
                                                               on_case=True),
    ("GET", "/api/cases/{case_id}/information-requests"): Rule(Action.READ, (FieldClass.DOCUMENTS,), on_case=True),
    ("POST", "/api/cases/{case_id}/information-requests/{rfi_id}/closure"): Rule(
        Action.REQUEST_INFO, (FieldClass.DOCUMENTS,), on_case=True),
    ("POST", "/api/information-requests/answers"): PUBLIC,
    ("GET", "/api/cases/{case_id}/documents"): Rule(Action.READ, (FieldClass.DOCUMENTS,), on_case=True),
    ("POST", "/api/cases/{case_id}/documents"): Rule(Action.ATTACH_DOCUMENT, (FieldClass.DOCUMENTS,), on_case=True),
    ("GET", "/api/cases/{case_id}/documents/{document_id}"): Rule(Action.READ, (FieldClass.DOCUMENTS,),
                                                                  on_case=True),
}

# Pages (web/pages). A language prefix (/ru /uk /en /be) is stripped before routing, so each page is one entry.
_CASE_PAGE = "/console/cases/{case_id}"
_ON_BEHALF = (FieldClass.CORE, FieldClass.IDENTITY, FieldClass.FAMILY)
ROUTES |= {
    ("GET", "/"): PUBLIC,
    ("GET", "/apply"): PUBLIC,
    ("POST", "/apply"): PUBLIC,
    ("GET", "/status"): PUBLIC,
    ("POST", "/status"): PUBLIC,
    ("POST", "/withdraw"): PUBLIC,
    ("POST", "/status/answer"): PUBLIC,
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("POST", "/console/logout"): ANY_STAFF,
    ("POST", "/console/step-up"): ANY_STAFF,
    ("GET", "/console"): ANY_STAFF,
    ("GET", "/console/cases"): Rule(Action.LIST),
    ("GET", _CASE_PAGE): Rule(Action.READ, on_case=True),
    ("POST", _CASE_PAGE + "/transitions"): Rule(Action.TRANSITION, on_case=True),
    ("POST", _CASE_PAGE + "/notes"): Rule(Action.ANNOTATE, (FieldClass.NOTES,), on_case=True),
    ("POST", _CASE_PAGE + "/assignment"): Rule(Action.ASSIGN, on_case=True),
    ("POST", _CASE_PAGE + "/family"): Rule(Action.LINK_FAMILY, (FieldClass.FAMILY,), on_case=True),
    # screening (web/pages/screening.py)
    ("GET", "/console/screening"): Rule(Action.DISPOSE_HIT, (FieldClass.EXCLUSION,)),
    ("GET", _CASE_PAGE + "/hits/{hit_id}"): Rule(Action.READ, (FieldClass.CORE, FieldClass.IDENTITY,
                                                               FieldClass.EXCLUSION), on_case=True),
    ("POST", _CASE_PAGE + "/hits"): Rule(Action.DISPOSE_HIT, (FieldClass.EXCLUSION,), on_case=True),
    ("POST", _CASE_PAGE + "/flags"): Rule(Action.DISPOSE_HIT, (FieldClass.EXCLUSION,), on_case=True),
    ("POST", _CASE_PAGE + "/duplicates"): Rule(Action.LINK_IDENTITY, (FieldClass.CORE, FieldClass.IDENTITY),
                                               on_case=True),
    ("POST", _CASE_PAGE + "/documents"): Rule(Action.ATTACH_DOCUMENT, (FieldClass.DOCUMENTS,), on_case=True),
    ("GET", _CASE_PAGE + "/documents/{document_id}"): Rule(Action.READ, (FieldClass.DOCUMENTS,), on_case=True),
    ("POST", _CASE_PAGE + "/information-requests"): Rule(Action.REQUEST_INFO, (FieldClass.DOCUMENTS,), on_case=True),
    ("POST", _CASE_PAGE + "/information-requests/close"): Rule(Action.REQUEST_INFO, (FieldClass.DOCUMENTS,),
                                                               on_case=True),
    ("GET", "/console/new/surrender"): Rule(Action.CREATE, (FieldClass.CORE, FieldClass.SURRENDER)),
    ("POST", "/console/new/surrender"): Rule(Action.CREATE, (FieldClass.CORE, FieldClass.SURRENDER)),
    ("GET", "/console/new/application"): Rule(Action.CREATE, _ON_BEHALF),
    ("POST", "/console/new/application"): Rule(Action.CREATE, _ON_BEHALF),
    ("GET", "/console/users"): Rule(Action.MANAGE_USERS, (FieldClass.NONE,)),
    ("GET", "/console/stats"): Rule(Action.VIEW_STATS, (FieldClass.NONE,)),  # statistics (issue 8)
    ("POST", _CASE_PAGE + "/arrival"): Rule(Action.RECORD_ARRIVAL, on_case=True),
    ("GET", "/stats"): PUBLIC,
    ("GET", "/stats/charts.css"): PUBLIC,
    ("POST", "/console/users"): Rule(Action.MANAGE_USERS, (FieldClass.NONE,)),
    ("POST", "/console/users/update"): Rule(Action.MANAGE_USERS, (FieldClass.NONE,)),
}

# Facts, evaluations, decisions, letters and appeals (web/api_decisions.py, web/pages/decisions.py).
_FACTS = (FieldClass.CORE, FieldClass.NARRATIVE)
_LETTER = (FieldClass.CORE, FieldClass.IDENTITY, FieldClass.NARRATIVE)
ROUTES |= {
    ("GET", "/api/cases/{case_id}/facts"): Rule(Action.READ, _FACTS, on_case=True),
    ("POST", "/api/cases/{case_id}/facts"): Rule(Action.ASSESS, _FACTS, on_case=True),
    ("POST", "/api/cases/{case_id}/evaluations"): Rule(Action.ASSESS, _FACTS, on_case=True),
    ("GET", "/api/cases/{case_id}/evaluations/latest"): Rule(Action.READ, _FACTS, on_case=True),
    ("GET", "/api/cases/{case_id}/decisions"): Rule(Action.READ, _LETTER, on_case=True),
    ("POST", "/api/cases/{case_id}/decisions"): Rule(Action.DECIDE, on_case=True),
    ("GET", "/api/cases/{case_id}/letter"): Rule(Action.READ, _LETTER, on_case=True),
    ("POST", "/api/cases/{case_id}/appeals"): Rule(Action.LODGE_APPEAL, on_case=True),
    ("POST", "/api/decision"): PUBLIC,
    ("POST", "/api/appeals"): PUBLIC,
    ("POST", "/api/letter"): PUBLIC,
    ("POST", _CASE_PAGE + "/facts"): Rule(Action.ASSESS, _FACTS, on_case=True),
    ("POST", _CASE_PAGE + "/evaluations"): Rule(Action.ASSESS, _FACTS, on_case=True),
    ("POST", _CASE_PAGE + "/decisions"): Rule(Action.DECIDE, on_case=True),
    ("POST", _CASE_PAGE + "/appeals"): Rule(Action.LODGE_APPEAL, on_case=True),
    ("GET", _CASE_PAGE + "/letter"): Rule(Action.READ, _LETTER, on_case=True),
    ("POST", "/appeal"): PUBLIC,
    ("POST", "/letter"): PUBLIC,
}

# Watchlists and the yente-compatible match API (web/api_watchlists.py, web/pages/watchlists.py).
_LISTS = Rule(Action.MANAGE_WATCHLISTS, (FieldClass.NONE,))
ROUTES |= {
    ("GET", "/api/watchlists"): _LISTS,
    ("GET", "/api/watchlists/{name}/diff"): _LISTS,
    ("POST", "/api/watchlists/{name}/versions"): _LISTS,
    ("POST", "/api/match/{dataset}"): Rule(Action.MATCH, (FieldClass.EXCLUSION,)),
    ("GET", "/console/watchlists"): _LISTS,
    ("POST", "/console/watchlists"): _LISTS,
    ("GET", "/console/watchlists/{name}"): _LISTS,
}

# Art. 1F exclusion records and referrals for prosecution (web/api_exclusion.py, web/pages/exclusion.py).
_EXCL = (FieldClass.CORE, FieldClass.EXCLUSION)
_EXCL_ONLY = (FieldClass.EXCLUSION,)
ROUTES |= {
    ("GET", "/api/cases/{case_id}/exclusion-records"): Rule(Action.READ, _EXCL, on_case=True),
    ("POST", "/api/cases/{case_id}/exclusion-records"): Rule(Action.RECORD_EXCLUSION, _EXCL_ONLY, on_case=True),
    ("POST", "/api/cases/{case_id}/exclusion-reviews"): Rule(Action.APPROVE_EXCLUSION, _EXCL_ONLY, on_case=True),
    ("GET", "/api/cases/{case_id}/referrals"): Rule(Action.READ, _EXCL, on_case=True),
    ("POST", "/api/cases/{case_id}/referrals"): Rule(Action.REFER, _EXCL_ONLY, on_case=True),
    ("POST", "/api/cases/{case_id}/referral-reviews"): Rule(Action.APPROVE_REFERRAL, _EXCL_ONLY, on_case=True),
    ("GET", "/api/cases/{case_id}/exclusion-revocations"): Rule(Action.READ, _EXCL, on_case=True),
    ("POST", "/api/cases/{case_id}/exclusion-revocations"): Rule(Action.REVOKE_EXCLUSION, _EXCL_ONLY, on_case=True),
    ("POST", "/api/cases/{case_id}/exclusion-revocation-reviews"): Rule(Action.APPROVE_REVOCATION, _EXCL_ONLY,
                                                                        on_case=True),
}
ROUTES |= {
    ("POST", "/console/cases/{case_id}/exclusion"): Rule(Action.RECORD_EXCLUSION, _EXCL_ONLY, on_case=True),
    ("POST", "/console/cases/{case_id}/exclusion/review"): Rule(Action.APPROVE_EXCLUSION, _EXCL_ONLY, on_case=True),
    ("POST", "/console/cases/{case_id}/referrals"): Rule(Action.REFER, _EXCL_ONLY, on_case=True),
    ("POST", "/console/cases/{case_id}/referrals/review"): Rule(Action.APPROVE_REFERRAL, _EXCL_ONLY, on_case=True),
    ("POST", "/console/cases/{case_id}/exclusion/revocations"): Rule(Action.REVOKE_EXCLUSION, _EXCL_ONLY,
                                                                     on_case=True),
    ("POST", "/console/cases/{case_id}/exclusion/revocations/review"): Rule(Action.APPROVE_REVOCATION, _EXCL_ONLY,
                                                                            on_case=True),
}

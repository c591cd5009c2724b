"""Names of statistics figures, marked for translation (shown on the dashboard, the public page, reports)."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


MEASURES = {
    "contacts": N_("First contacts"),
    "surrender_requested": N_("Surrender requests"),
    "surrender_arranged": N_("Surrenders arranged"),
    "in_custody": N_("In custody"),
    "custody_to_asylum": N_("From custody to an asylum application"),
    "applications": N_("Applications"),
    "screened": N_("Screened"),
    "decided": N_("Decided"),
    "granted": N_("Granted"),
    "refused": N_("Refused"),
    "excluded": N_("Excluded (Art. 1F)"),
    "arrived": N_("Arrived"),
    "withdrawn": N_("Withdrawn"),
    "appeals": N_("Appeals lodged"),
    "appeal_granted": N_("Appeals: granted"),
    "appeal_upheld": N_("Appeals: refusal upheld"),
}
PATHWAYS = {
    "all": N_("Everyone"),
    "mobilization_evader": N_("Mobilisation evaders"),
    "deserter": N_("Deserters"),
    "surrendering_soldier": N_("Surrendering soldiers"),
    "prisoner_of_war": N_("Prisoners of war"),
    "dissident": N_("Dissidents"),
    "war_refugee": N_("War refugees"),
    "persecuted_other": N_("Others persecuted"),
}
PUBLIC_GROUPS = {
    "soldiers": N_("Soldiers (surrendered, deserted, captured)"),
    "mobilisation": N_("Fleeing mobilisation"),
    "persecuted": N_("Dissidents and others persecuted"),
    "war_refugees": N_("War refugees"),
    "total": N_("Total"),
}
STAGES = {
    "pre_journey": N_("Surrender to custody"),
    "received": N_("Received"),
    "screening": N_("Screening"),
    "review": N_("Review"),
    "exclusion_review": N_("Exclusion review"),
    "decision_pending": N_("Awaiting decision"),
    "appeal": N_("Appeal"),
    "total": N_("Application to first decision"),
    "surrender_requested": N_("Surrender requested"),
    "surrender_arranged": N_("Surrender arranged"),
    "in_custody": N_("In custody"),
}
REMOVED = {
    "surrendered": N_("Soldiers who surrendered and chose asylum"),
    "deserters": N_("Deserters"),
    "evaded_mobilisation": N_("Men who left before being mobilised"),
    "total": N_("Total"),
}
RULES = {
    "in custody, then applied for asylum": N_("in custody, then applied for asylum"),
    "reached custody through a surrender request": N_("reached custody through a surrender request"),
    "deserters granted protection": N_("deserters granted protection"),
    "deserters who applied": N_("deserters who applied"),
    "mobilisation evaders with a summons (P1) granted protection": N_(
        "mobilisation evaders with a summons (P1) granted protection"
    ),
    "mobilisation evaders who applied": N_("mobilisation evaders who applied"),
    "sum of the lines": N_("sum of the lines"),
}
AGES = {"0-7": N_("up to 7 days"), "8-30": N_("8–30 days"), "31-90": N_("31–90 days"), "90+": N_("over 90 days")}
NOT_AVAILABLE = {
    "screening": N_("Screening figures: not available in this installation."),
    "referrals": N_("Referrals for prosecution: not available in this installation."),
}
#: The default policy's destination names, marked so the catalogs translate them (a policy naming its
#: destinations otherwise is shown in its own words).
DEFAULT_POLICY_DESTINATIONS = (N_("EU member state"), N_("Other receiving state (humanitarian route)"))
#: The column of decisions without a destination code (made before it was kept in clear, then erased).
NOT_RECORDED = N_("Not recorded")


def destination_label(code: str, names: dict[str, str]) -> str:
    """A destination column's heading: the policy's name, the bare code of an earlier policy, or "not recorded"."""
    if code == "-":
        return NOT_RECORDED
    return names.get(code, code)

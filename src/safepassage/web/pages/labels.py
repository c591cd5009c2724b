"""Display names for the domain's codes, marked for translation (templates translate them with `_()`)."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


PATHWAYS = {
    "mobilization_evader": N_("Avoiding mobilization or conscription"),
    "deserter": N_("Left the army (deserter)"),
    "surrendering_soldier": N_("A soldier who wants to surrender"),
    "prisoner_of_war": N_("Prisoner of war"),
    "dissident": N_("Persecuted for views, speech or activism"),
    "war_refugee": N_("Fleeing the war in Ukraine"),
    "persecuted_other": N_("Fleeing another war or oppression"),
}
PATHWAY_HINTS = {
    "mobilization_evader": N_("You received a summons, or could be called up, and left to avoid fighting."),
    "deserter": N_("You served and left your unit without permission."),
    "surrendering_soldier": N_("You are still in the army and want to surrender safely."),
    "prisoner_of_war": N_("You are held as a prisoner of war."),
    "dissident": N_("You face prison or violence for what you said, wrote or did."),
    "war_refugee": N_("You fled the fighting, the occupation or the bombing."),
    "persecuted_other": N_("Any other war or oppression: you are welcome on equal terms."),
}
STAGES = {
    "surrender_requested": N_("Surrender requested"),
    "surrender_arranged": N_("Surrender arranged"),
    "in_custody": N_("In safe custody"),
    "received": N_("Received"),
    "screening": N_("Checks"),
    "review": N_("Review"),
    "exclusion_review": N_("Closer review"),
    "decision_pending": N_("Decision being prepared"),
    "granted": N_("Protection granted"),
    "refused": N_("Refused"),
    "excluded": N_("Excluded"),
    "appeal": N_("Appeal"),
    "withdrawn": N_("Withdrawn"),
}
#: What the applicant is told at each stage (the domain's NEXT_STEPS, in the applicant's language).
NEXT_STEPS = {
    "surrender_requested": N_("We will contact you on the channel you gave to arrange a safe surrender."),
    "surrender_arranged": N_("Follow the instructions you were given for the surrender."),
    "in_custody": N_("You are in safe custody. Your application will be registered."),
    "received": N_("Your application was received. Nothing is needed from you now."),
    "screening": N_("Your application is being checked. Nothing is needed from you now."),
    "review": N_("A caseworker is reviewing your application and may send you questions."),
    "exclusion_review": N_("Your application needs a closer review; you may be invited to an interview."),
    "decision_pending": N_("A decision is being prepared. Nothing is needed from you now."),
    "granted": N_("Protection was granted. You will receive your decision letter."),
    "refused": N_("Your application was refused. You may appeal; the decision letter explains how."),
    "excluded": N_("Your application was not accepted. You may appeal; the decision letter explains how."),
    "appeal": N_("Your appeal is being considered."),
    "withdrawn": N_("This application was withdrawn. You can apply again at any time."),
}
PRIORITIES = {"P1": N_("P1 — urgent"), "P2": N_("P2 — at risk"), "P3": N_("P3 — standard")}
CHANNELS = {"web": N_("Web"), "operator": N_("Operator"), "hotline": N_("Hotline")}
GENDERS = {"male": N_("Male"), "female": N_("Female"), "other": N_("Other")}
SERVICE = {
    "none": N_("Never served"),
    "reservist": N_("Reservist"),
    "conscript": N_("Conscript"),
    "mobilised": N_("Mobilised"),
    "contract": N_("Contract soldier"),
    "officer": N_("Officer"),
    "pmc": N_("Private military company"),
}
RELATIONSHIPS = {
    "spouse": N_("Spouse"),
    "partner": N_("Partner"),
    "child": N_("Child"),
    "parent": N_("Parent"),
    "sibling": N_("Brother or sister"),
    "other": N_("Other relative"),
}
COUNTRIES = {
    "ru": N_("Russia"),
    "ua": N_("Ukraine"),
    "by": N_("Belarus"),
    "kz": N_("Kazakhstan"),
    "ge": N_("Georgia"),
    "am": N_("Armenia"),
    "az": N_("Azerbaijan"),
    "md": N_("Moldova"),
    "uz": N_("Uzbekistan"),
    "kg": N_("Kyrgyzstan"),
    "tj": N_("Tajikistan"),
}
URGENCY = {"immediate": N_("Immediately"), "days": N_("Within days"), "weeks": N_("Within weeks")}
LANGUAGE_NAMES = {"ru": N_("Russian"), "uk": N_("Ukrainian"), "en": N_("English"), "be": N_("Belarusian")}
ROLES = {
    "intake_operator": N_("Intake operator"),
    "caseworker": N_("Caseworker"),
    "screening_analyst": N_("Screening analyst"),
    "adjudicator": N_("Adjudicator"),
    "supervisor": N_("Supervisor"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
}
#: Who an audit entry names: a staff role, or the applicant, the system, an anonymous caller.
ACTORS = {**ROLES, "applicant": N_("the applicant"), "system": N_("the system"), "anonymous": N_("anonymous")}
FIELD_CLASSES = {
    "core": N_("Case basics"),
    "identity": N_("Identity"),
    "family": N_("Family"),
    "military": N_("Military service"),
    "narrative": N_("Applicant's account"),
    "notes": N_("Notes"),
    "surrender": N_("Surrender details"),
    "exclusion": N_("Screening and exclusion"),
    "documents": N_("Documents"),
}

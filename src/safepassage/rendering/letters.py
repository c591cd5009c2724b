"""Decision letters in the applicant's language (ru, uk, en), as HTML and as PDF, from one structure.

Letters are rendered on demand from the decision's sealed reasons — nothing but the ciphertext is
stored, and erasing the case's key erases its letters too. The PDF's creation date is the decision's,
so the same decision always gives the same letter text. Strings are gettext messages (the page
catalogs); unknown legal bases fall back to the policy's own description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from safepassage.domain.decision import LegalTest, Outcome
from safepassage.i18n import translations
from safepassage.rendering.pdf import PdfDocument
from safepassage.services.decisions import LetterData


def N_(message: str) -> str:
    """Mark a message for translation without translating it here."""
    return message


TITLE = N_("Decision on your application for protection")
OUTCOME_TEXT = {
    Outcome.GRANT: N_("Protection is granted."),
    Outcome.REFUSE: N_("Your application for protection is refused."),
    Outcome.EXCLUDE: N_(
        "You are excluded from refugee protection under Article 1F of the 1951 Refugee Convention. "
        "This was decided by two different people on an individual assessment, never because of a relative "
        "or of unit membership alone."
    ),
}
OUTCOME_LABEL = {Outcome.GRANT: N_("Granted"), Outcome.REFUSE: N_("Refused"), Outcome.EXCLUDE: N_("Excluded")}
TESTS = {
    LegalTest.CREDIBILITY: N_("Credibility of the account"),
    LegalTest.WELL_FOUNDED_FEAR: N_("Well-founded fear of persecution or real risk of serious harm"),
    LegalTest.NEXUS: N_("Link to a Convention ground, to refusal of military service, or to the war"),
    LegalTest.NO_PROTECTION: N_("No effective protection in the country of origin"),
    LegalTest.NOT_EXCLUDED: N_("No serious reasons for considering that Article 1F applies"),
}
FINDING = {True: N_("met"), False: N_("not met"), None: N_("not assessed")}
BASES = {
    "conv_political": N_("1951 Refugee Convention, Art. 1A(2): persecution for political opinion"),
    "conv_other_grounds": N_("1951 Refugee Convention, Art. 1A(2): race, religion, nationality or social group"),
    "eu_qd_9_2_e": N_(
        "Qualification Directive 2011/95/EU, Art. 9(2)(e): refusal of military service in a war involving war crimes"
    ),
    "eu_subsidiary": N_("Qualification Directive 2011/95/EU, Art. 15: subsidiary protection"),
    "eu_temporary_protection": N_("Temporary Protection Directive 2001/55/EC"),
    "gc3_pow": N_("Third Geneva Convention: prisoner-of-war protection"),
    "humanitarian_parole": N_("Humanitarian parole or national humanitarian visa"),
}
INSTANCE = {"first": N_("First decision"), "appeal": N_("Decision on appeal")}
L_RECEIPT, L_NAME, L_DATE, L_DECISION = N_("Receipt code"), N_("Name"), N_("Date of decision"), N_("Decision")
L_INSTANCE, L_POLICY, L_DESTINATION = N_("Instance"), N_("Eligibility policy version"), N_("Destination")
L_BASIS = N_("Legal basis")
H_FINDINGS, H_REASONS, H_RULES, H_APPEAL = (
    N_("Findings on the legal tests"),
    N_("Reasons"),
    N_("Policy rules applied"),
    N_("Appeal"),
)
APPEAL_UNTIL = N_(
    "You may appeal this decision until %(date)s. Lodge the appeal on the status page with your "
    "receipt code and passphrase, or ask your caseworker. A different adjudicator will decide it."
)
NO_APPEAL = N_("This decision grants protection; there is nothing to appeal.")
FINAL = N_("This decision was taken on appeal and is final within this procedure.")
NO_RULES = N_("No rules were recorded.")
KEEP_SAFE = N_("Keep this letter in a safe place: it contains personal data. We will never ask for your passphrase.")


@dataclass(frozen=True)
class Section:
    """A heading with paragraphs and label/value rows."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Letter:
    """A letter, translated, ready to render."""

    lang: str
    title: str
    meta: list[tuple[str, str]]
    lead: str
    sections: list[Section]
    footer: str


def compose(data: LetterData) -> Letter:
    """The letter's text in its language, from the decision and its reasons."""
    lang = data.language
    _ = translations(lang).gettext
    d, r = data.decision, data.reasons
    outcome = Outcome(d.outcome)

    def day(value: object) -> str:
        return format_date(value, format="long", locale=lang)  # type: ignore[arg-type]

    meta = [(_(L_RECEIPT), data.receipt)]
    if data.name:
        meta.append((_(L_NAME), data.name))
    meta += [
        (_(L_DATE), day(d.decided_at)),
        (_(L_DECISION), _(OUTCOME_LABEL[outcome])),
        (_(L_INSTANCE), _(INSTANCE.get(d.instance, INSTANCE["first"]))),
        (_(L_DESTINATION), data.destinations.get(r.destination, r.destination)),
    ]
    if r.legal_basis:
        meta.append(
            (
                _(L_BASIS),
                _(BASES[r.legal_basis]) if r.legal_basis in BASES else data.bases.get(r.legal_basis, r.legal_basis),
            )
        )
    meta.append((_(L_POLICY), d.policy_version))
    findings = Section(
        _(H_FINDINGS),
        rows=[(_(TESTS[f.test]), _(FINDING[f.met]) + (f" — {f.reasoning}" if f.reasoning else "")) for f in r.findings],
    )
    sections = [
        findings,
        Section(_(H_REASONS), paragraphs=[r.summary]),
        Section(_(H_RULES), paragraphs=[", ".join(r.trace) if r.trace else _(NO_RULES)]),
    ]
    if d.appeal_deadline is not None and d.instance == "first":
        appeal = _(APPEAL_UNTIL) % {"date": day(d.appeal_deadline)}
    elif outcome is Outcome.GRANT:
        appeal = _(NO_APPEAL)
    else:
        appeal = _(FINAL) if d.appeal_deadline is None else _(APPEAL_UNTIL) % {"date": day(d.appeal_deadline)}
    sections.append(Section(_(H_APPEAL), paragraphs=[appeal]))
    return Letter(lang, _(TITLE), meta, _(OUTCOME_TEXT[outcome]), sections, _(KEEP_SAFE))


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def letter_html(data: LetterData) -> str:
    """The letter as a standalone HTML page (autoescaped: reasons appear literally)."""
    return _env().get_template("letter.html").render(letter=compose(data))


def letter_pdf(data: LetterData) -> bytes:
    """The letter as a PDF (DejaVu Sans; the creation date is the decision's)."""
    letter = compose(data)
    doc = PdfDocument(title=letter.title, lang=letter.lang, created=data.decision.decided_at)
    doc.heading(letter.title)
    doc.rows(letter.meta)
    doc.paragraph(letter.lead, bold=True)
    for s in letter.sections:
        doc.heading(s.heading, level=2)
        if s.rows:
            doc.rows(s.rows)
        for p in s.paragraphs:
            doc.paragraph(p)
    doc.paragraph(letter.footer)
    return doc.output()


def filename(data: LetterData, ext: str) -> str:
    """A download name that names no person: the receipt code and the date."""
    return f"decision-{data.receipt}-{data.decision.decided_at:%Y%m%d}.{ext}"

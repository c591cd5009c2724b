"""Decisions and appeals as rules: outcomes, the legal tests reasons are structured against, deadlines.

Pure: no database, no web. The services apply these rules; the letters explain them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from safepassage.domain.eligibility import Evaluation, Policy
from safepassage.domain.errors import DomainError, Forbidden, InvalidInput
from safepassage.domain.person import clean_text
from safepassage.domain.stages import Stage

MAX_REASONING = 5_000
MAX_SUMMARY = 10_000
MAX_GROUNDS = 10_000


class Outcome(StrEnum):
    """What a decision says."""

    GRANT = "grant"
    REFUSE = "refuse"
    EXCLUDE = "exclude"


STAGE_OF = {Outcome.GRANT: Stage.GRANTED, Outcome.REFUSE: Stage.REFUSED, Outcome.EXCLUDE: Stage.EXCLUDED}
APPEALABLE = frozenset({Outcome.REFUSE, Outcome.EXCLUDE})


class LegalTest(StrEnum):
    """The tests a protection decision answers, in the order a decision-maker takes them."""

    CREDIBILITY = "credibility"  # the account is credible in its material facts
    WELL_FOUNDED_FEAR = "well_founded_fear"  # a real risk of persecution or serious harm on return
    NEXUS = "nexus"  # the harm is for a Convention ground, refusal of service (QD 9(2)(e)), or the war
    NO_PROTECTION = "no_protection"  # no effective state protection and no internal alternative
    NOT_EXCLUDED = "not_excluded"  # no serious reasons for considering Art. 1F applies


class AppealDeadlinePassed(DomainError):
    """The appeal period is over."""

    code = "appeal_deadline_passed"
    status = 409


class DifferentAdjudicatorRequired(Forbidden):
    """An appeal is decided by someone who has not decided this case before."""

    code = "different_adjudicator_required"


@dataclass(frozen=True)
class TestFinding:
    """The decision-maker's finding on one legal test: met, not met, or not needed (None)."""

    test: LegalTest
    met: bool | None
    reasoning: str


@dataclass(frozen=True)
class Reasons:
    """A decision's reasons, structured against the legal tests and the policy's evaluation."""

    outcome: Outcome
    destination: str
    legal_basis: str | None
    findings: tuple[TestFinding, ...]
    summary: str
    policy_version: str
    trace: tuple[str, ...] = ()  # rule ids that fired in the evaluation the decision relied on
    exclusion_record_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def failed(self) -> list[TestFinding]:
        """The tests found not met."""
        return [f for f in self.findings if f.met is False]

    def to_json(self) -> dict[str, Any]:
        """The sealed form."""
        return {
            "outcome": self.outcome.value,
            "destination": self.destination,
            "legal_basis": self.legal_basis,
            "findings": [{"test": f.test.value, "met": f.met, "reasoning": f.reasoning} for f in self.findings],
            "summary": self.summary,
            "policy_version": self.policy_version,
            "trace": list(self.trace),
            "exclusion_record_id": self.exclusion_record_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reasons:
        """Back from the sealed form."""
        return cls(
            Outcome(data["outcome"]),
            data["destination"],
            data.get("legal_basis"),
            tuple(TestFinding(LegalTest(f["test"]), f["met"], f["reasoning"]) for f in data["findings"]),
            data["summary"],
            data["policy_version"],
            tuple(data.get("trace", ())),
            data.get("exclusion_record_id"),
        )


def parse_findings(raw: dict[str, tuple[str, str]]) -> tuple[TestFinding, ...]:
    """Findings from {test: ("met"|"not_met"|"", reasoning)}; unknown tests or values are refused."""
    out = []
    for name, (verdict, text) in raw.items():
        try:
            test = LegalTest(name)
        except ValueError:
            raise InvalidInput(f"Unknown legal test {name[:40]!r}. Tests: {', '.join(LegalTest)}.") from None
        if verdict not in ("met", "not_met", ""):
            raise InvalidInput(f"{test.value}: the finding must be met, not_met or empty.")
        reasoning = clean_text(text, field_name=f"Reasoning on {test.value}", limit=MAX_REASONING)
        out.append(TestFinding(test, {"met": True, "not_met": False, "": None}[verdict], reasoning))
    order = list(LegalTest)
    return tuple(sorted(out, key=lambda f: order.index(f.test)))


def build_reasons(
    *,
    outcome: Outcome,
    destination: str,
    legal_basis: str | None,
    findings: tuple[TestFinding, ...],
    summary: str,
    policy: Policy,
    evaluation: Evaluation | None,
    exclusion_record_id: str | None = None,
) -> Reasons:
    """Check a decision's reasons against the legal tests and the evaluation; clear errors otherwise."""
    summary = clean_text(summary, field_name="Summary of reasons", limit=MAX_SUMMARY)
    if not summary:
        raise InvalidInput("Write the reasons for the decision (the summary cannot be empty).")
    if destination not in policy.destinations:
        raise InvalidInput(f"Unknown destination. Destinations: {', '.join(policy.destinations)}.")
    for f in findings:
        if f.met is False and not f.reasoning:
            raise InvalidInput(f"Explain why the test {f.test.value} is not met.")
    failed = [f for f in findings if f.met is False]
    if outcome is Outcome.GRANT:
        if evaluation is None:
            raise InvalidInput("Evaluate the case under the policy before granting.")
        offered = evaluation.bases.get(destination, [])
        if legal_basis not in offered:
            raise InvalidInput(
                f"Choose the legal basis of the grant from those the policy gives for {destination}: "
                f"{', '.join(offered) or 'none (the policy gives no basis here)'}."
            )
        if failed:
            raise InvalidInput("A grant cannot rest on a test found not met: change the finding or refuse.")
    elif outcome is Outcome.REFUSE:
        if not failed:
            raise InvalidInput("A refusal must name at least one legal test that is not met, and why.")
        if any(f.test is LegalTest.NOT_EXCLUDED for f in failed):
            raise InvalidInput("Exclusion (Art. 1F) is decided as `exclude`, with an approved exclusion record.")
        legal_basis = None
    else:
        if exclusion_record_id is None:
            raise InvalidInput("Exclusion needs an approved Art. 1F exclusion record for this case.")
        if not any(f.test is LegalTest.NOT_EXCLUDED for f in failed):
            findings = (
                *findings,
                TestFinding(LegalTest.NOT_EXCLUDED, False, "Art. 1F: see the approved exclusion record."),
            )
        legal_basis = None
    trace = tuple(t.rule_id for t in evaluation.trace) if evaluation else ()
    return Reasons(
        outcome,
        destination,
        legal_basis,
        findings,
        summary,
        evaluation.policy_version if evaluation else policy.version,
        trace,
        exclusion_record_id,
    )


def appeal_days(policy: Policy, outcome: Outcome, destination: str) -> int | None:
    """Days to appeal this outcome for this destination under the policy; None if it cannot be appealed."""
    if outcome not in APPEALABLE:
        return None
    days = policy.appeal_days
    return days.get(f"{outcome.value}.{destination}", days.get(outcome.value, policy.appeal_deadline_days))


def appeal_deadline(policy: Policy, outcome: Outcome, destination: str, decided_at: datetime) -> datetime | None:
    """When the appeal period ends (inclusive), or None for outcomes that cannot be appealed."""
    days = appeal_days(policy, outcome, destination)
    return None if days is None else decided_at + timedelta(days=days)


def check_appeal_in_time(deadline: datetime | None, now: datetime) -> None:
    """Refuse an appeal after its deadline (or against an outcome that cannot be appealed)."""
    if deadline is None:
        raise InvalidInput("This decision cannot be appealed.")
    if now > deadline:
        raise AppealDeadlinePassed(
            f"The appeal period ended on {deadline:%Y-%m-%d %H:%M} UTC; an appeal can no longer be lodged."
        )


def days_left(deadline: datetime | None, now: datetime) -> int | None:
    """Days left until a deadline, counting a part-day as a day (1 on its last day); negative once passed."""
    if deadline is None:
        return None
    seconds = (deadline - now).total_seconds()
    if seconds < 0:
        return min(-1, math.floor(seconds / 86400))
    return math.ceil(seconds / 86400)

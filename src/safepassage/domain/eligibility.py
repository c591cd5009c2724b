"""Eligibility policy as data: a versioned TOML file mapping pathways and facts to legal bases,
required evidence and priority. Every evaluation returns the trace of the rules that fired.

The policy never excludes anyone: a rule can only *flag* a case for exclusion review by a person.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from safepassage.domain.errors import InvalidInput
from safepassage.domain.pathways import Pathway, Priority

DEFAULT_POLICY = Path(__file__).with_name("policies") / "default.toml"
FLAGS = frozenset({"exclusion_review", "interview", "urgent_contact"})
#: A destination code: short and plain, since decisions keep it in clear for statistics.
DESTINATION_CODE = re.compile(r"[a-z0-9_]{1,16}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Strict):
    """A rule's condition: any of these pathways, all of these facts, none of those."""

    pathways_any: list[Pathway] = Field(default_factory=list)
    facts_all: list[str] = Field(default_factory=list)
    facts_none: list[str] = Field(default_factory=list)


class Then(_Strict):
    """What a firing rule contributes."""

    bases: dict[str, list[str]] = Field(default_factory=dict)  # destination → basis ids
    evidence: list[str] = Field(default_factory=list)
    priority: Priority | None = None
    flags: list[Literal["exclusion_review", "interview", "urgent_contact"]] = Field(default_factory=list)


class Rule(_Strict):
    """One rule of the policy."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$")
    description: str = Field(min_length=3)
    when: When
    then: Then


class Policy(_Strict):
    """A whole policy version."""

    version: str = Field(min_length=1, max_length=40)
    appeal_deadline_days: int = Field(ge=1, le=365)
    # Per outcome or outcome.destination ("refuse", "exclude.eu"): days to appeal, overriding the default.
    appeal_days: dict[str, int] = Field(default_factory=dict)
    facts: list[str] = Field(min_length=1)
    destinations: dict[str, str]
    bases: dict[str, str]
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        bad = [d for d in self.destinations if not DESTINATION_CODE.fullmatch(d)]
        if bad:
            raise ValueError(
                f"destination codes must be 1–16 lower-case letters, digits or _ (they are stored in clear "
                f"for statistics): {', '.join(repr(d[:20]) for d in bad)}"
            )
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule ids must be unique: {', '.join(dupes)}")
        for rule in self.rules:
            unknown_facts = sorted(set(rule.when.facts_all + rule.when.facts_none) - set(self.facts))
            if unknown_facts:
                raise ValueError(f"rule {rule.id}: undeclared fact {', '.join(unknown_facts)} (add it to `facts`)")
            for dest, bases in rule.then.bases.items():
                if dest not in self.destinations:
                    raise ValueError(f"rule {rule.id}: unknown destination {dest!r}")
                unknown = [b for b in bases if b not in self.bases]
                if unknown:
                    raise ValueError(f"rule {rule.id}: unknown legal basis {', '.join(unknown)}")
        for key, days in self.appeal_days.items():
            outcome, _, dest = key.partition(".")
            if outcome not in ("refuse", "exclude") or (dest and dest not in self.destinations):
                raise ValueError(f"appeal_days: {key!r} must be refuse or exclude, optionally .<destination>")
            if not 1 <= days <= 365:
                raise ValueError(f"appeal_days: {key!r} must be 1–365 days")
        uncovered = [p.value for p in Pathway if not any(p in r.when.pathways_any and r.then.bases for r in self.rules)]
        if uncovered:
            raise ValueError(f"every pathway needs a rule giving a legal basis; none for: {', '.join(uncovered)}")
        return self


@dataclass(frozen=True)
class Fired:
    """One rule that fired, and why."""

    rule_id: str
    description: str
    because: str


@dataclass(frozen=True)
class Evaluation:
    """What the policy says about one case, with the trace that explains it."""

    policy_version: str
    bases: dict[str, list[str]]
    evidence: list[str]
    priority: Priority
    flags: list[str]
    trace: list[Fired]


def load_policy(path: Path = DEFAULT_POLICY) -> Policy:
    """Read and validate a policy file; errors name the place (e.g. `rules.3.then.priority`)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path.name}: not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'policy'}: {e['msg']}" for e in exc.errors()[:20])
        raise InvalidInput(f"{path.name}: {problems}") from None


def evaluate(policy: Policy, pathways: frozenset[Pathway], facts: frozenset[str]) -> Evaluation:
    """Apply every rule; the union of what the fired rules give, the most urgent priority."""
    bases: dict[str, list[str]] = {}
    evidence: list[str] = []
    flags: list[str] = []
    priority = Priority.P3
    trace = []
    for rule in policy.rules:
        w = rule.when
        hit = [p for p in w.pathways_any if p in pathways]
        if not hit or not set(w.facts_all) <= facts or set(w.facts_none) & facts:
            continue
        because = f"pathway {', '.join(hit)}"
        if w.facts_all:
            because += f"; facts {', '.join(w.facts_all)}"
        if w.facts_none:
            because += f"; not {', '.join(w.facts_none)}"
        trace.append(Fired(rule.id, rule.description, because))
        for dest, ids in rule.then.bases.items():
            bases.setdefault(dest, [])
            bases[dest] += [b for b in ids if b not in bases[dest]]
        evidence += [e for e in rule.then.evidence if e not in evidence]
        flags += [f for f in rule.then.flags if f not in flags]
        if rule.then.priority is not None and rule.then.priority.value < priority.value:
            priority = rule.then.priority
    return Evaluation(policy.version, bases, evidence, priority, flags, trace)

"""The eligibility policy: schema errors with locations, every pathway decided, traces that explain."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.domain.eligibility import DEFAULT_POLICY, evaluate, load_policy
from safepassage.domain.errors import InvalidInput
from safepassage.domain.pathways import Pathway, Priority

POLICY = load_policy()

# One expected outcome per pathway in the default policy: (pathway, facts) → (EU bases, priority, flags).
CASES = [
    (Pathway.MOBILIZATION_EVADER, set(), {"eu_qd_9_2_e", "conv_political"}, Priority.P2, set()),
    (Pathway.MOBILIZATION_EVADER, {"summons_received"}, {"eu_qd_9_2_e", "conv_political"}, Priority.P1, set()),
    (Pathway.DESERTER, set(), {"eu_qd_9_2_e", "conv_political"}, Priority.P2, {"interview"}),
    (
        Pathway.DESERTER,
        {"self_disclosed_acts"},
        {"eu_qd_9_2_e", "conv_political"},
        Priority.P2,
        {"interview", "exclusion_review"},
    ),
    (
        Pathway.SURRENDERING_SOLDIER,
        set(),
        {"eu_qd_9_2_e", "conv_political"},
        Priority.P1,
        {"urgent_contact", "interview"},
    ),
    (Pathway.PRISONER_OF_WAR, set(), {"conv_political", "eu_qd_9_2_e"}, Priority.P1, {"interview"}),
    (Pathway.DISSIDENT, set(), {"conv_political"}, Priority.P2, set()),
    (Pathway.WAR_REFUGEE, {"ukrainian_citizen"}, {"eu_temporary_protection"}, Priority.P2, set()),
    (Pathway.WAR_REFUGEE, set(), {"eu_subsidiary", "conv_other_grounds"}, Priority.P2, set()),
    (Pathway.PERSECUTED_OTHER, set(), {"conv_other_grounds", "conv_political", "eu_subsidiary"}, Priority.P3, set()),
    (
        Pathway.PERSECUTED_OTHER,
        {"family_in_danger"},
        {"conv_other_grounds", "conv_political", "eu_subsidiary"},
        Priority.P1,
        set(),
    ),
]


@pytest.mark.parametrize(("pathway", "facts", "bases", "priority", "flags"), CASES)
def test_default_policy_outcome_per_pathway(
    pathway: Pathway, facts: set[str], bases: set[str], priority: Priority, flags: set[str]
) -> None:
    ev = evaluate(POLICY, frozenset({pathway}), frozenset(facts))
    assert set(ev.bases["eu"]) == bases and ev.priority is priority and set(ev.flags) == flags
    assert ev.policy_version == POLICY.version and ev.trace
    for fired in ev.trace:  # every outcome is explained by named rules and the reason they fired
        assert pathway.value in fired.because and fired.description


def test_every_pathway_has_a_test_case_and_a_basis() -> None:
    assert {c[0] for c in CASES} == set(Pathway)
    for p in Pathway:
        assert evaluate(POLICY, frozenset({p}), frozenset()).bases, p


def test_no_rule_excludes_anyone() -> None:
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert "exclude" not in {f for r in POLICY.rules for f in r.then.flags}
    assert "excluded" not in text


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (('then.priority = "P1"', 'then.priority = "P0"'), "rules.1.then.priority"),
        (("appeal_deadline_days = 30", "appeal_deadline_days = 0"), "appeal_deadline_days"),
        (('id = "dissident"', 'id = "Bad Id!"'), "rules."),
        (('when.facts_all = ["summons_received"]', 'when.facts_all = ["sumons_received"]'), "undeclared fact"),
        (('id = "persecuted-other"', 'id = "dissident"'), "unique"),
        (
            ('then.bases = { eu = ["conv_political"], other', 'then.bases = { mars = ["conv_political"], other'),
            "unknown destination",
        ),
    ],
)
def test_schema_errors_name_their_place(tmp_path: Path, change: tuple[str, str], where: str) -> None:
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(InvalidInput) as info:
        load_policy(_write(tmp_path, text.replace(change[0], change[1], 1)))
    assert where in info.value.message


def test_a_pathway_without_a_rule_is_refused(tmp_path: Path) -> None:
    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        'when.pathways_any = ["dissident"]', 'when.pathways_any = ["war_refugee"]'
    )
    with pytest.raises(InvalidInput, match="dissident"):
        load_policy(_write(tmp_path, text))


def test_cli_policy_check(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["policy", "check", str(DEFAULT_POLICY)])
    assert ok.exit_code == 0 and "every pathway covered" in ok.output
    bad = runner.invoke(app, ["policy", "check", str(_write(tmp_path, "version = [\n"))])
    assert bad.exit_code == 2 and "not valid TOML" in bad.output

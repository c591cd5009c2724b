"""Decision letters without a database: every language and outcome, PDF text read back with pypdf,
hostile reasons literal; the decision rules behind them (legal tests, deadlines per outcome/destination)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.domain.decision import (
    AppealDeadlinePassed,
    LegalTest,
    Outcome,
    Reasons,
    appeal_days,
    build_reasons,
    check_appeal_in_time,
    days_left,
)
from safepassage.domain.decision import (
    TestFinding as Finding,
)
from safepassage.domain.eligibility import DEFAULT_POLICY, evaluate, load_policy
from safepassage.domain.errors import InvalidInput
from safepassage.domain.pathways import Pathway
from safepassage.rendering.letters import filename, letter_html, letter_pdf
from safepassage.services.decisions import DecisionView, LetterData, letter_language
from tests.helpers import HOSTILE_NAMES

POLICY = load_policy()
AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TITLES = {
    "ru": "Решение по вашему заявлению о защите",
    "uk": "Рішення щодо вашої заяви про захист",
    "en": "Decision on your application for protection",
}
LEADS = {
    ("ru", "refuse"): "В предоставлении защиты отказано.",
    ("uk", "grant"): "Захист надано.",
    ("en", "exclude"): "You are excluded from refugee protection under Article 1F",
}


def _data(outcome: Outcome, lang: str, summary: str, name: str = "Алексей Петров") -> LetterData:
    failed = outcome is not Outcome.GRANT
    reasons = Reasons(
        outcome,
        "eu",
        "eu_qd_9_2_e" if outcome is Outcome.GRANT else None,
        (Finding(LegalTest.CREDIBILITY, not failed, summary),),
        summary,
        POLICY.version,
        ("evader", "evader-summoned"),
    )
    deadline = None if outcome is Outcome.GRANT else AT + timedelta(days=30)
    view = DecisionView(
        "d-1", "c-1", outcome.value, "first", "u-1", AT, deadline, 30, POLICY.version, lang, None, None, None
    )
    return LetterData("7KQ4-M2XZ-9PHD-Y", name, view, reasons, dict(POLICY.bases), dict(POLICY.destinations), lang)


def _text(pdf: bytes) -> str:
    return " ".join("".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.mark.parametrize("lang", ["ru", "uk", "en"])
@pytest.mark.parametrize("outcome", list(Outcome))
def test_letters_render_in_each_language_for_each_outcome(lang: str, outcome: Outcome) -> None:
    data = _data(outcome, lang, "{{ 7*7 }} <script>alert(1)</script> Ґрицько")
    text = _text(letter_pdf(data))
    assert TITLES[lang] in text and "7KQ4-M2XZ-9PHD-Y" in text and "Алексей Петров" in text
    assert "{{ 7*7 }} <script>alert(1)</script> Ґрицько" in text and "evader-summoned" in text
    if (lang, outcome.value) in LEADS:
        assert LEADS[(lang, outcome.value)] in text
    if outcome is Outcome.GRANT:
        assert {
            "ru": "Директива 2011/95/ЕС, ст. 9(2)(e)",
            "uk": "Директива 2011/95/ЄС, ст. 9(2)(e)",
            "en": "Qualification Directive 2011/95/EU, Art. 9(2)(e)",
        }[lang] in text
    else:
        assert {"ru": "2026", "uk": "2026", "en": "December 20, 2026"}[lang] in text  # the appeal deadline
    page = letter_html(data)
    assert f'<html lang="{lang}">' in page and "{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert filename(data, "pdf") == "decision-7KQ4-M2XZ-9PHD-Y-20261120.pdf"


def test_the_same_decision_always_gives_the_same_letter() -> None:
    data = _data(Outcome.REFUSE, "uk", "Причини")
    assert letter_pdf(data) == letter_pdf(data)


def test_belarusian_applicants_get_russian_letters() -> None:
    assert [letter_language(x) for x in ("ru", "uk", "en", "be")] == ["ru", "uk", "en", "ru"]


REASONS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300) | st.sampled_from(
    HOSTILE_NAMES
)


def _renders(reason: str) -> None:
    data = _data(Outcome.REFUSE, "ru", reason, name=reason[:80])
    assert _text(letter_pdf(data))  # renders, and reads back
    assert "<script>" not in letter_html(data)


@settings(max_examples=6, deadline=None)
@given(REASONS)
def test_any_reason_reaches_the_pdf_and_the_page_without_breaking_them(reason: str) -> None:
    _renders(reason)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(REASONS)
def test_any_reason_renders_soak(reason: str) -> None:
    _renders(reason)


def test_refusal_needs_a_failed_test_and_grant_a_basis_from_the_evaluation() -> None:
    ev = evaluate(POLICY, frozenset({Pathway.DISSIDENT}), frozenset())
    kw = {"destination": "eu", "summary": "Reasons", "policy": POLICY, "evaluation": ev}
    with pytest.raises(InvalidInput, match="at least one legal test"):
        build_reasons(outcome=Outcome.REFUSE, legal_basis=None, findings=(), **kw)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="conv_political"):
        build_reasons(outcome=Outcome.GRANT, legal_basis="gc3_pow", findings=(), **kw)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"approved Art\. 1F"):
        build_reasons(outcome=Outcome.EXCLUDE, legal_basis=None, findings=(), **kw)  # type: ignore[arg-type]
    ok = build_reasons(outcome=Outcome.GRANT, legal_basis="conv_political", findings=(), **kw)  # type: ignore[arg-type]
    assert ok.trace == ("dissident",) and ok.policy_version == POLICY.version


def test_appeal_deadlines_come_from_the_policy_per_outcome_and_destination(tmp_path: Path) -> None:
    assert appeal_days(POLICY, Outcome.REFUSE, "eu") == 30 and appeal_days(POLICY, Outcome.EXCLUDE, "eu") == 60
    assert appeal_days(POLICY, Outcome.GRANT, "eu") is None
    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "appeal_days = { refuse = 30, exclude = 60 }", 'appeal_days = { refuse = 30, "refuse.other" = 14 }'
    )
    custom = tmp_path / "p.toml"
    custom.write_text(text, encoding="utf-8")
    policy = load_policy(custom)
    assert appeal_days(policy, Outcome.REFUSE, "other") == 14 and appeal_days(policy, Outcome.EXCLUDE, "eu") == 30
    custom.write_text(text.replace('"refuse.other" = 14', '"refuse.mars" = 14'), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"appeal_days: 'refuse\.mars'"):
        load_policy(custom)
    custom.write_text(text.replace('"refuse.other" = 14', '"refuse.other" = "soon"'), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"appeal_days\.refuse\.other"):
        load_policy(custom)


def test_the_deadline_is_inclusive_to_the_second() -> None:
    deadline = AT + timedelta(days=30)
    check_appeal_in_time(deadline, deadline)
    with pytest.raises(AppealDeadlinePassed):
        check_appeal_in_time(deadline, deadline + timedelta(seconds=1))
    assert days_left(deadline, deadline - timedelta(hours=2)) == 1 and days_left(deadline, AT) == 30
    assert days_left(deadline, deadline + timedelta(seconds=1)) == -1

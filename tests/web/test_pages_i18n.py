"""The pages' catalogs: complete in every language, correct plural forms, no string left out of gettext."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safepassage.i18n import LANGUAGES, translations
from safepassage.i18n.catalogs import extract, load, missing

PAGES = Path(__file__).resolve().parents[2] / "src" / "safepassage" / "web" / "pages"


@pytest.fixture(scope="module")
def template_catalog():  # type: ignore[no-untyped-def]
    return extract()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_message(template_catalog, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert len(template_catalog) > 300
    gaps = missing(lang, template_catalog)
    assert not gaps, f"{lang} catalog misses {len(gaps)} messages (run python -m safepassage.i18n.catalogs): {gaps[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_no_stale_messages(template_catalog, lang: str) -> None:  # type: ignore[no-untyped-def]
    wanted = {m.id for m in template_catalog if m.id}
    stale = [m.id for m in load(lang) if m.id and m.id not in wanted]
    assert not stale, stale[:5]


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("ru", {1: "Найдено 1 дело", 3: "Найдено 3 дела", 5: "Найдено 5 дел", 11: "Найдено 11 дел",
                21: "Найдено 21 дело", 24: "Найдено 24 дела", 111: "Найдено 111 дел"}),
        ("uk", {1: "Знайдено 1 справу", 2: "Знайдено 2 справи", 7: "Знайдено 7 справ", 21: "Знайдено 21 справу"}),
        ("be", {1: "Знойдзена 1 справа", 4: "Знойдзена 4 справы", 12: "Знойдзена 12 спраў"}),
        ("en", {1: "1 case found", 2: "2 cases found"}),
    ],
)
def test_plural_forms(lang: str, forms: dict[int, str]) -> None:
    t = translations(lang)
    for n, text in forms.items():
        assert t.ngettext("%(num)d case found", "%(num)d cases found", n) % {"num": n} == text


def test_placeholders_survive_translation() -> None:
    for lang in LANGUAGES:
        for msg in load(lang):
            if not msg.id or not msg.string:
                continue
            ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
            strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
            want = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
            for s in strings:
                assert set(re.findall(r"%\(\w+\)[sd]", s)) == want, (lang, msg.id, s)


def test_page_code_only_translates_through_extractable_calls() -> None:
    # `gettext_for(request)("…")` would be translated at run time but never extracted into the catalogs.
    for path in PAGES.glob("*.py"):
        assert "gettext_for(request)(" not in path.read_text(), path.name

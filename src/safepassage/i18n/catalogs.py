"""Maintain the catalogs: extract messages from templates and page code, merge them into every `.po`.

    python -m safepassage.i18n.catalogs          # update the .po files (new messages get empty translations)
    python -m safepassage.i18n.catalogs --check  # exit 1 listing messages a catalog misses
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from safepassage.i18n import LANGUAGES, po_path

PACKAGE = Path(__file__).resolve().parents[1]
METHODS = [
    ("web/pages/**.py", "python"),
    ("rendering/**.py", "python"),  # decision letters
    ("web/templates/**.html", "jinja2"),
]
OPTIONS = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract() -> Catalog:
    """Every translatable message in the page code and templates."""
    template = Catalog(project="safepassage", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def load(lang: str) -> Catalog:
    """A language's catalog as stored."""
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def missing(lang: str, template: Catalog | None = None) -> list[str]:
    """Messages extracted from the code that `lang`'s catalog lacks or leaves untranslated (or fuzzy)."""
    template = template or extract()
    catalog = load(lang)
    out = []
    for msg in template:
        if not msg.id:
            continue
        have = catalog.get(msg.id, context=msg.context)
        strings = have.string if have else None
        forms = strings if isinstance(strings, tuple | list) else (strings,)
        wanted = catalog.num_plurals if msg.pluralizable else 1
        if have is None or have.fuzzy or not all(forms) or len(forms) != wanted:
            out.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return out


def update() -> None:
    """Merge newly extracted messages into every catalog, keeping existing translations."""
    template = extract()
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            catalog = load(lang)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, project="safepassage", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as f:
            write_po(f, catalog, width=0, omit_header=False, sort_output=False)


def main(argv: list[str]) -> int:
    """Command-line entry: update, or --check."""
    if "--check" in argv:
        template = extract()
        bad = {lang: missing(lang, template) for lang in LANGUAGES}
        for lang, ids in bad.items():
            for i in ids:
                print(f"{lang}: missing {i!r}")
        return 1 if any(bad.values()) else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The English interface is complete: every catalogue entry is translated, none is fuzzy."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    [ROOT / "locale/en/LC_MESSAGES/django.po", *ROOT.glob("workinfrance/*/locale/en/LC_MESSAGES/django.po")]
)
ENTRY = re.compile(
    r'^msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?((?:msgstr(?:\[\d\])? (?:".*"\n?)+)+)', re.M
)


def untranslated(po_text: str) -> list[str]:
    missing = []
    for block in po_text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""\n"Project' not in block:
            missing.append(f"fuzzy: {block.strip()[:120]}")
            continue
        match = ENTRY.search(block + "\n")
        if not match:
            continue
        msgid = "".join(ast.literal_eval(line) for line in match.group(1).strip().split("\n"))
        strings = re.findall(r"msgstr(?:\[\d\])? ((?:\".*\"\n?)+)", match.group(2))
        values = ["".join(ast.literal_eval(line) for line in s.strip().split("\n")) for s in strings]
        if msgid and not all(values):
            missing.append(msgid)
    return missing


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_catalogue_is_fully_translated(catalogue):
    assert untranslated(catalogue.read_text(encoding="utf-8")) == []


def test_detector_finds_missing_and_fuzzy_entries():
    sample = 'msgid "Bonjour"\nmsgstr ""\n\n#, fuzzy\nmsgid "Oui"\nmsgstr "Yes"\n\nmsgid "Non"\nmsgstr "No"\n'
    assert untranslated(sample) == ["Bonjour", 'fuzzy: #, fuzzy\nmsgid "Oui"\nmsgstr "Yes"']

"""The reading check: docs/sentences.md lists every distinct sentence template of the built pages
with an example (scripts/sentences.py), so a reviewer can read all the site says in one file.
The test builds the site in the session's temporary project and fails when the file is not current.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from evalkit.build import plan, runner
from evalkit.paths import reports_dir

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "sentences.md"
REGENERATE = "python scripts/sentences.py reports/site > docs/sentences.md (efter evalkit build)"


def _script():
    spec = importlib.util.spec_from_file_location("sentences", ROOT / "scripts" / "sentences.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_templates_replace_names_and_numbers():
    module = _script()
    names = module._names()
    sentence = "Husby rankas 2:a av 65 stadsdelar med index; Andel invånare med ekonomiskt bistånd 14,3 % år 2020."
    assert module.template(sentence, names) == (
        "{område} rankas {ordning} av {tal} stadsdelar med index; {indikator} {tal} % år {år}.")
    assert module.sentences("Det gäller m.fl. områden. Nästa mening kommer här.") == [
        "Det gäller m.fl. områden.", "Nästa mening kommer här."]


@pytest.fixture(scope="module")
def built_site(processed):
    jobs = plan.site_jobs() + plan.district_jobs()
    summary = runner.build(jobs, reports_dir(), progress=False)
    assert summary.ok, summary.text()
    return reports_dir() / "site"


def test_docs_sentences_is_current(built_site):
    text = _script().render(built_site)
    assert "{område}" in text and text.count("\n- ") > 50
    assert DOC.read_text(encoding="utf-8") == text, f"docs/sentences.md är inte aktuell: {REGENERATE}"

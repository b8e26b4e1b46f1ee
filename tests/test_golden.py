"""The nbval references in tests/golden/ must run today's notebooks.

nbval executes the code stored in a reference notebook, so a reference left behind after a
notebook changed would test old code and still pass. `make golden` rebuilds them.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = {"district_sd-tensta.ipynb": "district", "district_sdo-skarholmen.ipynb": "district",
          "city.ipynb": "city", "projects.ipynb": "projects"}


def _code(path: Path) -> list[str]:
    """Code cells' sources, without papermill's injected-parameters cell."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"
            and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("reference, notebook", sorted(GOLDEN.items()))
def test_reference_runs_the_current_notebook(reference, notebook):
    assert _code(ROOT / "tests" / "golden" / reference) == _code(ROOT / "notebooks" / f"{notebook}.ipynb"), (
        f"tests/golden/{reference} is stale: run `make golden` and review the diff")


def test_every_reference_is_checked():
    assert sorted(p.name for p in (ROOT / "tests" / "golden").glob("*.ipynb")) == sorted(GOLDEN)


def test_references_carry_no_image_payloads():
    for name in GOLDEN:
        text = (ROOT / "tests" / "golden" / name).read_text(encoding="utf-8")
        assert '"image/png"' not in text and '"image/svg+xml"' not in text

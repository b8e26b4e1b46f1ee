"""The house rules that keep evalkit easy to change, checked on the code itself.

- Nothing outside ``build/`` imports ``build/`` (``cli.py``, the front door, excepted): change
  detection and the build machinery live in one place (docs: /work/shared/design/architecture.md).
- ``fingerprint.py`` is ground floor: it uses nothing of evalkit but ``paths``.
- Tests work on a temporary copy of the project (tests/conftest.py), and so do the `evalkit`
  processes they start. That the checkout's `git status` and ``reports/`` are the same after
  `make test` as before is checked by `make test` itself, after both of its pytest runs (the
  second, ``pytest notebooks``, does not load this folder's conftest).

Imports are read with :func:`evalkit.fingerprint.imports`, the scanner the code hashes use, so
the rule and the change detection agree on what a module imports (also imports inside functions).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit import fingerprint, paths

CHECKOUT = Path(__file__).resolve().parents[1]
#: May import build/: the command line is the front door to every step.
FRONT_DOOR = ("cli.py",)


def build_imports(path: Path, root: Path) -> list[str]:
    """The ``evalkit.build`` modules that ``path`` (a module of the package at ``root``) imports."""
    package = ".".join(["evalkit", *path.relative_to(root).parent.parts])  # what relative imports start from
    names = fingerprint.imports(ast.parse(path.read_text(encoding="utf-8")), package)
    return sorted({n for n in names if n == "evalkit.build" or n.startswith("evalkit.build.")})


def violations(root: Path) -> dict[str, list[str]]:
    """Modules outside ``build/`` (and the front door) that import ``build/``, with what they import."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("build/") or rel in FRONT_DOOR or "__pycache__" in rel:
            continue
        names = build_imports(path, root)
        if names:
            found[rel] = names
    return found


def test_nothing_outside_build_imports_build():
    assert violations(fingerprint.package_root()) == {}


def test_notebooks_do_not_import_build():
    notebooks = sorted((CHECKOUT / "notebooks").glob("*.ipynb")) + sorted((CHECKOUT / "tests" / "golden").glob("*.ipynb"))
    assert notebooks
    names = fingerprint.notebook_imports(notebooks)
    assert any(n.startswith("evalkit.present") for n in names)  # the scanner did read them
    assert not [n for n in names if n == "evalkit.build" or n.startswith("evalkit.build.")]


@pytest.mark.parametrize("source", [
    "from evalkit.build import cache",
    "import evalkit.build.runner",
    "from evalkit import build",
    "def later():\n    from evalkit.build.plan import district_jobs\n",
    "from .build import plan",
    "from ..build import cache",  # from a subpackage (analysis/)
])
def test_the_rule_catches_every_way_of_importing_build(tmp_path, source):
    root = tmp_path / "evalkit"
    (root / "analysis").mkdir(parents=True)
    target = root / ("analysis/x.py" if source.startswith("from ..") else "x.py")
    target.write_text(source + "\n", encoding="utf-8")
    (root / "build").mkdir()
    (root / "build" / "y.py").write_text("from evalkit.build import plan\n", encoding="utf-8")  # allowed
    (root / "cli.py").write_text("from evalkit.build import runner\n", encoding="utf-8")  # the front door
    (root / "z.py").write_text("from evalkit import fingerprint\n", encoding="utf-8")
    found = violations(root)
    assert list(found) == [target.relative_to(root).as_posix()]
    assert all(n.startswith("evalkit.build") for n in found[list(found)[0]])


def test_fingerprint_uses_nothing_of_evalkit_but_paths():
    root = fingerprint.package_root()
    package = {p.relative_to(root).as_posix() for p in fingerprint.import_closure(["evalkit"])}
    used = {p.relative_to(root).as_posix() for p in fingerprint.import_closure(["evalkit.fingerprint"])}
    assert used - package == {"fingerprint.py", "paths.py"}


# --- tests work on a temporary copy -----------------------------------------------------------

def test_the_session_works_on_a_temporary_copy_not_the_checkout():
    import conftest

    root = paths.project_root()
    assert root == conftest.TEST_ROOT and root != CHECKOUT and CHECKOUT not in root.parents
    for folder in (paths.raw_dir(), paths.processed_dir(), paths.reports_dir()):
        assert root in folder.parents
    # What the steps read is there (a copy, so that a test that edits it edits the copy).
    assert (paths.raw_dir() / "sources.csv").read_bytes() == (CHECKOUT / "data" / "raw" / "sources.csv").read_bytes()
    assert (root / "notebooks" / "district.ipynb").is_file() and (root / "requirements.lock").is_file()


def test_processes_the_tests_start_resolve_the_same_copy():
    """`evalkit …` subprocesses and nbval's kernels inherit the environment, so they read and write the copy."""
    script = "from evalkit import paths; print(paths.reports_dir())"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=CHECKOUT)
    assert Path(out.stdout.strip()) == paths.reports_dir()
    assert Path(out.stdout.strip()) != CHECKOUT / "reports"

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


# --- issue 28, ground floor: one reader per raw file (i28-ground) -------------------------------
# Only programme.py reads data/raw/programme/, only geography.py data/raw/geography/, and one
# function parses sources.csv: paths.sources_listing. It lives in paths.py because change detection
# (fingerprint.py, which may use nothing but paths) needs the listing too. fetch.register also
# *appends* a row to the file (it reads the header and rows through sources_listing).
# The rule reads the code as the scanner above does (ast): a module "opens" a raw folder when it
# writes the folder as a path part (``raw_dir() / "programme"``, ``joinpath("geography", …)``,
# ``"data/raw/programme/x.csv"``) or names one of the folder's files (``"cohorts.csv"``).
# READMEs are prose, not facts: the method page collects every data/raw README (present/method.py).

RAW_OWNERS = {"programme": "programme.py", "geography": "geography.py"}
#: (module, function) that may write the name sources.csv, and that may call paths.sources_file.
SOURCES_NAME_AT = {("paths.py", "sources_file")}
SOURCES_FILE_USERS = {("paths.py", "sources_listing"), ("fetch.py", "register")}


def raw_file_names(raw: Path = CHECKOUT / "data" / "raw") -> dict[str, set[str]]:
    """The file names in each owned raw folder (READMEs excepted)."""
    return {folder: {p.name for p in (raw / folder).iterdir() if p.is_file() and p.name != "README.md"}
            for folder in RAW_OWNERS}


def _functions(tree: ast.AST) -> dict[int, str]:
    """id of every node -> name of the outermost function it is in ("" at module level)."""
    owner: dict[int, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if not name and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else name
            owner[id(child)] = inner
            visit(child, inner)

    visit(tree, "")
    return owner


def _folder_named(node: ast.AST, files: dict[str, set[str]]) -> str | None:
    """The owned raw folder ``node`` writes as a path, or None."""
    def word(n):
        return n.value if isinstance(n, ast.Constant) and isinstance(n.value, str) else None

    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        for side in (node.left, node.right):
            if word(side) in RAW_OWNERS:
                return word(side)
    if isinstance(node, ast.Call):
        func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if func in ("joinpath", "join", "Path", "PurePath"):
            for arg in node.args:
                if word(arg) in RAW_OWNERS:
                    return word(arg)
    text = word(node)
    if text is not None and " " not in text:
        parts = text.replace("\\", "/").strip("/").split("/")
        for folder, names in files.items():
            if parts[-1] in names or (len(parts) > 1 and folder in parts[:-1]):
                return folder
    return None


def raw_readers(root: Path, files: dict[str, set[str]] | None = None) -> dict[str, list[str]]:
    """Modules of the package at ``root`` that open an owned raw folder they do not own."""
    files = raw_file_names() if files is None else files
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            folder = _folder_named(node, files)
            if folder and RAW_OWNERS[folder] != rel and folder not in found.get(rel, []):
                found.setdefault(rel, []).append(folder)
    return found


def sources_readers(root: Path) -> dict[str, list[str]]:
    """(module, function) places of the package at ``root`` that write the name ``sources.csv`` as a
    path or call ``sources_file`` where the rule does not allow it."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = _functions(tree)
        for node in ast.walk(tree):
            where = (rel, owner.get(id(node), ""))
            named = (isinstance(node, ast.Constant) and isinstance(node.value, str)
                     and node.value.replace("\\", "/").split("/")[-1] == "sources.csv")
            called = isinstance(node, (ast.Name, ast.Attribute)) and getattr(
                node, "id", getattr(node, "attr", "")) == "sources_file"
            if (named and where not in SOURCES_NAME_AT) or (called and where not in SOURCES_FILE_USERS | SOURCES_NAME_AT):
                found.setdefault(rel, []).append(where[1] or "<module>")
    return found


def test_only_programme_and_geography_read_their_raw_folders():
    root = fingerprint.package_root()
    assert raw_readers(root) == {}
    # the scanner sees the owners' own reads, so an empty answer is not a blind one
    files, seen = raw_file_names(), {}
    for folder, module in RAW_OWNERS.items():
        tree = ast.parse((root / module).read_text(encoding="utf-8"))
        seen[folder] = any(_folder_named(node, files) == folder for node in ast.walk(tree))
    assert seen == {"programme": True, "geography": True}


def test_one_function_parses_sources_csv():
    root = fingerprint.package_root()
    assert sources_readers(root) == {}
    from evalkit import paths as ground

    header, rows = ground.sources_listing()
    assert header[0] == "path" and rows and all(set(r) == set(header) for r in rows)


@pytest.mark.parametrize("source, rule", [
    ('import pandas as pd\nfrom evalkit.paths import raw_dir\nc = pd.read_csv(raw_dir() / "programme" / "indicators.csv")', "programme"),
    ('from pathlib import Path\nA = Path("data/raw/geography/aliases.csv")', "geography"),
    ('from evalkit.paths import raw_dir\ndef f():\n    return raw_dir().joinpath("geography", "new.csv")', "geography"),
    ('FILE = "cohorts.csv"', "programme"),
    ('def later(raw):\n    return open(raw / "programme/quantities.csv")', "programme"),
    ('import pandas as pd\ndef listing(raw):\n    return pd.read_csv(raw / "sources.csv")', "sources"),
    ('from evalkit import paths\ndef again():\n    return paths.sources_file().read_text()', "sources"),
    ('import csv\ndef rows(raw):\n    return list(csv.DictReader(open(f"{raw}/sources.csv")))', "sources"),
    ('def cohorts(raw):\n    return open(f"{raw}/programme/cohorts.csv")', "programme"),
    ('def key(raw):\n    return raw / ("geo" + "graphy") / "regso.csv"', None),  # see below
])
def test_the_raw_file_rules_catch_a_planted_reader(tmp_path, source, rule):
    root = tmp_path / "evalkit"
    (root / "analysis").mkdir(parents=True)
    target = root / "analysis" / "planted.py"
    target.write_text(source + "\n", encoding="utf-8")
    # the owners, as the package has them: allowed
    (root / "programme.py").write_text('from evalkit.paths import raw_dir\ndef goals():\n'
                                       '    return raw_dir() / "programme" / "goals.csv"\n', encoding="utf-8")
    (root / "geography.py").write_text('from evalkit.paths import raw_dir\n'
                                       'A = raw_dir() / "geography" / "aliases.csv"\n', encoding="utf-8")
    (root / "paths.py").write_text('def sources_file(raw):\n    return raw / "sources.csv"\n\n'
                                   'def sources_listing(raw=None):\n    return sources_file(raw).read_text()\n',
                                   encoding="utf-8")
    (root / "fetch.py").write_text("from evalkit.paths import sources_file\n"
                                   "def register(raw):\n    return sources_file(raw).open('a')\n", encoding="utf-8")
    files = {"programme": {"goals.csv", "indicators.csv", "cohorts.csv", "quantities.csv"},
             "geography": {"aliases.csv"}}
    raw, listed = raw_readers(root, files), sources_readers(root)
    if rule is None:
        # A folder name computed at run time hides from a static rule: the limit of the rule, stated
        # here so that nobody takes a green test for more than it checks.
        assert raw == {} and listed == {}
    elif rule == "sources":
        assert raw == {} and list(listed) == ["analysis/planted.py"]
    else:
        assert listed == {} and raw == {"analysis/planted.py": [rule]}

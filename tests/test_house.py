"""The house rules that keep evalkit easy to change, checked on the code itself.

- Nothing outside ``build/`` imports ``build/`` (``cli.py``, the front door, excepted): change
  detection and the build machinery live in one place (docs: /work/shared/design/architecture.md).
- ``fingerprint.py`` is ground floor: it uses nothing of evalkit but ``paths``.
- The floors (:data:`FLOORS`, README "Layout"): no import cycles, no import of a higher floor, and
  the contracts take constants from the ground floor only; imports inside functions count.
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


# --- floors: no import cycles, no upward imports (issue 28, item 4) ------------------------------
#
# The import graph of src/evalkit counts every import statement, also those inside functions, and
# ``importlib.import_module("evalkit.…")`` with a literal name: an import put inside a function
# to dodge a cycle is still the cycle. The statements are read with fingerprint.imports, the
# scanner of the change detection, so the rules and the cache keys agree on what a module imports.
# Strongly connected components are found by reachability (below) rather than with networkx or
# grimp: for ~90 modules that is ten lines, and grimp would be a second import scanner that could
# disagree with the change detector's (and a new dependency); graphlib only reports one cycle.

#: The floors of ``src/evalkit``, from the ground up (README, "Layout"): a module may import its own
#: floor and the floors below, never one above. Keys are module names relative to ``evalkit``; a
#: module's floor is that of the longest key that is the module or a package holding it.
#: ``__init__`` is the package ``evalkit`` itself (its lazy facade of :mod:`evalkit.api`).
FLOORS = {
    # 0 ground floor: where things are, areas and eras, the programme's facts, real or demo, hashes
    "paths": 0, "geography": 0, "programme": 0, "origin": 0, "fingerprint": 0, "workers": 0,
    # 1 contracts: schemas and their code lists (constants only from the ground floor, rule below)
    "contracts": 1,
    # 2 readers and the helpers of the clean step
    "io": 2, "aggregate": 2, "stamp": 2, "pxweb": 2,
    # 3 numbers only
    "analysis": 3,
    # 4 the steps (`evalkit clean`, `analyse`, `fetch`, `effects`, `demo-data`) and the tables they store
    "clean": 4, "results": 4, "data": 4, "fetch": 4, "api": 4, "__init__": 4,
    "demo": 4, "demo_inputs": 4, "demo_population": 4,
    # 5 words and pictures; 6 the build; 7 the front door
    "present": 5,
    "build": 6,
    "cli": 7,
}

#: Edges left in on purpose until the branch that removes them is merged: (importer, imported) ->
#: why. The lead empties this after merging; a listed edge that is gone fails the test below.
KNOWN_EDGES: dict[tuple[str, str], str] = {}

#: Files allowed an ``import_module`` whose name is not a literal (the graph cannot follow it) -> why.
DYNAMIC_IMPORTS = {
    "build/warm.py": "imports what the notebooks import, into the warm template (build/ is the top floor)",
}


def module_names(root: Path) -> dict[str, Path]:
    """``{dotted module name: file}`` of the package at ``root`` (``root.name`` is the package)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _in_function(tree: ast.AST) -> set[int]:
    """ids of the import statements inside a function body."""
    return {id(node) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(fn) if isinstance(node, (ast.Import, ast.ImportFrom))}


def _module_of(name: str, modules) -> str | None:
    """The module ``name`` lives in (``evalkit.x.CONSTANT`` -> ``evalkit.x``), None outside the package."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _statement_targets(node, package: str, modules) -> set[str]:
    """Modules of the package that one import statement loads (``from a import b``: ``a.b`` when
    ``b`` is a module, else ``a``; a package's ``__init__`` is not counted for its submodules)."""
    names = fingerprint.imports(ast.Module(body=[node], type_ignores=[]), package)
    if isinstance(node, ast.Import):
        return {m for m in (_module_of(n, modules) for n in names) if m}
    base, members = names[0], names[1:]
    found = {n for n in members if n in modules}
    if len(found) < len(members):  # something that is no module: an attribute of ``base``
        found.add(_module_of(base, modules))
    return {m for m in found if m}


def _dynamic_imports(tree: ast.AST):
    """``(first argument, line)`` of every ``import_module(…)`` call."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and (
                getattr(node.func, "attr", None) == "import_module" or getattr(node.func, "id", None) == "import_module"):
            yield node.args[0], node.lineno


def import_graph(root: Path) -> dict:
    """The package's import graph: ``edges`` {module: modules it imports}, ``statements`` and
    ``in_functions`` (import statements of any module, all and inside functions), ``evalkit_in_functions``
    (those loading the package's own modules) and ``dynamic`` (files with a non-literal ``import_module``)."""
    modules = module_names(root)
    graph = {"edges": {}, "statements": 0, "in_functions": 0, "evalkit_in_functions": 0, "dynamic": {}}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        inner, targets = _in_function(tree), set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found = _statement_targets(node, package, modules)
                targets |= found
                graph["statements"] += 1
                graph["in_functions"] += id(node) in inner
                graph["evalkit_in_functions"] += bool(found) and id(node) in inner
        for arg, line in _dynamic_imports(tree):
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                targets |= {m for m in [_module_of(arg.value, modules)] if m}
            else:
                graph["dynamic"].setdefault(path.relative_to(root).as_posix(), []).append(line)
        graph["edges"][name] = targets - {name}
    return graph


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (each sorted), i.e. the cycles."""
    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reached = {m: reach(m) for m in edges}
    components = {frozenset({m} | {n for n in reached[m] if m in reached.get(n, ())}) for m in edges}
    return sorted(sorted(c) for c in components if len(c) > 1)


def floor_of(module: str, floors: dict = FLOORS) -> int | None:
    """The floor of a dotted module name (``evalkit.analysis.goals`` -> ``floors["analysis"]``)."""
    parts = module.split(".")[1:] or ["__init__"]
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in floors:
            return floors[".".join(parts[:n])]
    return None


def upward(edges: dict[str, set[str]], floors: dict = FLOORS) -> list[tuple[str, str]]:
    """Imports of a module on a higher floor: ``(importer, imported)``."""
    return sorted((a, b) for a, targets in edges.items() for b in targets
                  if floor_of(b, floors) is not None and floor_of(a, floors) is not None
                  and floor_of(b, floors) > floor_of(a, floors))


def contract_imports(edges: dict[str, set[str]], floors: dict = FLOORS) -> list[tuple[str, str]]:
    """Imports of ``contracts`` from anything but the ground floor and ``contracts`` itself."""
    def is_contract(m):
        return m.split(".")[1:2] == ["contracts"]
    return sorted((a, b) for a, targets in edges.items() if is_contract(a)
                  for b in targets if not is_contract(b) and floor_of(b, floors) != 0)


def _without_known(edges: dict[str, set[str]], known=KNOWN_EDGES) -> dict[str, set[str]]:
    return {a: {b for b in targets if (a, b) not in known} for a, targets in edges.items()}


def figures(root: Path) -> dict:
    """What issue 28 asks to measure: cycles (components of more than one module), upward edges,
    import statements inside functions (of all, and of those loading evalkit modules)."""
    graph = import_graph(root)
    return {"modules": len(graph["edges"]), "cycles": len(cycles(graph["edges"])),
            "modules_in_cycles": sum(len(c) for c in cycles(graph["edges"])),
            "upward_edges": len(upward(graph["edges"])), "contract_imports": len(contract_imports(graph["edges"])),
            "import_statements": graph["statements"], "in_functions": graph["in_functions"],
            "evalkit_imports_in_functions": graph["evalkit_in_functions"]}


@pytest.fixture(scope="module")
def graph():
    return import_graph(fingerprint.package_root())


def test_every_module_has_a_floor(graph):
    assert [m for m in graph["edges"] if floor_of(m) is None] == []


def test_no_import_cycles(graph):
    assert cycles(_without_known(graph["edges"])) == []


def test_no_upward_imports(graph):
    assert upward(_without_known(graph["edges"])) == []


def test_contracts_use_only_the_ground_floor(graph):
    assert contract_imports(_without_known(graph["edges"])) == []


def test_known_edges_are_still_there(graph):
    """An allowed edge that is gone is taken off :data:`KNOWN_EDGES` (so the list only shrinks)."""
    assert [edge for edge in KNOWN_EDGES if edge[1] not in graph["edges"].get(edge[0], ())] == []


def test_only_the_listed_files_import_by_computed_name(graph):
    assert sorted(graph["dynamic"]) == sorted(DYNAMIC_IMPORTS)


# Planted packages: the checker must be able to fail, for every way of importing.
PLANTED = {
    "paths.py": "",
    "programme.py": "from evalkit import paths\nYEAR = 2015\n",
    "contracts/__init__.py": "",
    "contracts/tidy.py": "from evalkit.programme import YEAR\n",
    "analysis/__init__.py": "",
    "analysis/goals.py": "from evalkit.contracts import tidy\nSTATUSES = ('met',)\n",
    "present/__init__.py": "",
    "present/page.py": "from ..analysis import goals\n",
    "cli.py": "import evalkit.present.page\n",
}


def _plant(tmp_path: Path, extra: dict[str, str]) -> Path:
    root = tmp_path / "evalkit"
    for rel, text in {**PLANTED, **extra}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_the_planted_package_is_clean(tmp_path):
    edges = import_graph(_plant(tmp_path, {}))["edges"]
    assert edges["evalkit.present.page"] == {"evalkit.analysis.goals"}  # relative, resolved to the module
    assert edges["evalkit.contracts.tidy"] == {"evalkit.programme"}  # a constant: its module
    assert cycles(edges) == [] and upward(edges) == [] and contract_imports(edges) == []


@pytest.mark.parametrize("file, source", [
    ("programme.py", "from evalkit import paths\nfrom evalkit.analysis.goals import STATUSES\n"),
    ("programme.py", "def later():\n    from evalkit.analysis import goals\n"),
    ("programme.py", "def later():\n    import importlib\n    return importlib.import_module('evalkit.analysis.goals')\n"),
    ("analysis/goals.py", "from evalkit.contracts import tidy\n\n\ndef page():\n    from ..present import page\n"),
    ("contracts/tidy.py", "import evalkit.cli\n"),
])
def test_the_checker_catches_cycles_however_imported(tmp_path, file, source):
    edges = import_graph(_plant(tmp_path, {file: source}))["edges"]
    assert len(cycles(edges)) == 1
    assert upward(edges)  # a cycle across floors always has an upward edge


@pytest.mark.parametrize("file, source, edge", [
    ("paths.py", "def later():\n    from evalkit.contracts import tidy\n", ("evalkit.paths", "evalkit.contracts.tidy")),
    ("contracts/tidy.py", "from evalkit.analysis.goals import STATUSES\n", ("evalkit.contracts.tidy", "evalkit.analysis.goals")),
    ("programme.py", "import importlib\nX = importlib.import_module('evalkit.present.page')\n", ("evalkit.programme", "evalkit.present.page")),
])
def test_the_checker_catches_upward_imports(tmp_path, file, source, edge):
    edges = import_graph(_plant(tmp_path, {file: source}))["edges"]
    assert edge in upward(edges)


@pytest.mark.parametrize("source, caught", [
    ("from evalkit.analysis.goals import STATUSES\n", True),  # a constant from above the ground floor
    ("from evalkit import paths\nfrom evalkit.programme import YEAR\n", False),  # the ground floor
    ("from . import other\n", False),  # contracts itself
])
def test_the_checker_catches_contracts_using_constants_from_above(tmp_path, source, caught):
    edges = import_graph(_plant(tmp_path, {"contracts/tidy.py": source, "contracts/other.py": ""}))["edges"]
    assert bool(contract_imports(edges)) is caught


def test_the_checker_counts_imports_inside_functions_and_computed_names(tmp_path):
    graph = import_graph(_plant(tmp_path, {"present/page.py": (
        "import importlib\n\n\ndef a():\n    import json\n    from evalkit.analysis import goals\n\n\n"
        "def b(fmt):\n    return importlib.import_module(f'evalkit.{fmt}')\n")}))
    assert graph["in_functions"] == 2 and graph["evalkit_in_functions"] == 1
    assert graph["dynamic"] == {"present/page.py": [10]}
    assert graph["edges"]["evalkit.present.page"] == {"evalkit.analysis.goals"}


def test_an_unplaced_module_has_no_floor():
    assert floor_of("evalkit.newmodule") is None
    assert floor_of("evalkit") == FLOORS["__init__"] and floor_of("evalkit.analysis.goals") == FLOORS["analysis"]


if __name__ == "__main__":  # the figures for a note: python tests/test_house.py
    print(figures(fingerprint.package_root()))
    for component in cycles(import_graph(fingerprint.package_root())["edges"]):
        print("cycle:", " ".join(component))
    for a, b in upward(import_graph(fingerprint.package_root())["edges"]):
        print("upward:", a, "->", b)

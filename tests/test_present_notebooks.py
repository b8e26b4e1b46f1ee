"""The report notebooks are thin: a parameters cell, then one call into evalkit.present per cell.

No facts, thresholds or years typed into a notebook (they live in the library and the data
files), no queries, no branches: what a page says is decided where it can be tested.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _code_cells(path: Path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])]


def _is_present_call(node: ast.AST) -> bool:
    """``module.function(names…)``: a call into a present/ module, arguments only names."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)):
        return False
    return all(isinstance(a, ast.Name) for a in node.args) and not node.keywords


def _is_binding(node: ast.AST) -> bool:
    """``name = module.function(names…)``: a value computed once by present/ and passed to the
    sections (the district notebook's area record), nothing else."""
    return (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and _is_present_call(node.value))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_is_one_call_into_present(path):
    assert NOTEBOOKS, "no notebooks found"
    bindings = 0
    for cell in _code_cells(path):
        source = "".join(cell["source"])
        tree = ast.parse(source)
        body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
        for n in tree.body:
            if isinstance(n, ast.ImportFrom):
                assert n.module == "evalkit.present", f"{path.name} {cell['id']}: imports {n.module}"
        # at most one name bound in the whole notebook, e.g. the area resolved once for every section
        bindings += sum(map(_is_binding, body))
        body = [n for n in body if not _is_binding(n)]
        assert bindings <= 1, f"{path.name} {cell['id']}: more than one value bound"
        assert len(body) == 1, f"{path.name} {cell['id']}: {len(body)} statements besides imports"
        call = body[0]
        assert isinstance(call, ast.Expr), f"{path.name} {cell['id']}: not a call"
        call = call.value
        # page.show(section(...)) or display(one call): unwrap the one wrapper
        if (isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords
                and ast.unparse(call.func) in ("page.show", "display")):
            call = call.args[0]
        assert _is_present_call(call), f"{path.name} {cell['id']}: {ast.unparse(call)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_facts_typed_into_a_notebook(path):
    for cell in _code_cells(path):
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            assert not (isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str))), \
                f"{path.name} {cell['id']}: literal {node.value!r}"
            assert not isinstance(node, (ast.If, ast.IfExp, ast.For, ast.Compare, ast.Subscript)), \
                f"{path.name} {cell['id']}: logic {ast.unparse(node)}"

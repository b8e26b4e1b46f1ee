"""The notebook route: papermill with a name as `district`, then `evalkit export` gives the build's page."""

import nbformat
import papermill
import pytest

from evalkit import cli
from evalkit.build import plan, reference, runner


def test_papermill_with_a_name_then_export_gives_the_same_bytes_as_build(processed, tmp_path, capfd):
    built = tmp_path / "built"
    summary = runner.build(plan.district_jobs(["sd-husby"]), built, n_jobs=1, progress=False)
    assert summary.ok, summary.failed
    executed = tmp_path / "husby.ipynb"
    notebook = plan.notebook_path("district")
    papermill.execute_notebook(str(notebook), str(executed), parameters={"district": "Husby"}, kernel_name="python3",
                               cwd=str(notebook.parent), progress_bar=False, config=reference.kernel_config())
    assert "eavesdropping" not in capfd.readouterr().err  # the kernel's transport warning is gone
    out = tmp_path / "exported"
    assert cli.main(["export", str(executed), "--out", str(out)]) == 0
    assert (out / "site" / "sd-husby.html").read_bytes() == (built / "site" / "sd-husby.html").read_bytes()
    assert 'href="sd-husby.html"' in (out / "site" / "index.html").read_text(encoding="utf-8")


def _executed(path, parameters, error=False):
    """A notebook as papermill leaves it (parameters recorded, cells executed)."""
    cells = [nbformat.v4.new_code_cell("district = 'sd-tensta'", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_code_cell("x = 1")]
    for i, cell in enumerate(cells, 1):
        cell.execution_count = i
    if error:
        cells[1].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="nej", traceback=[])]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"papermill": {
        "input_path": "notebooks/district.ipynb", "parameters": parameters, "exception": None}})
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("parameters, error, expected", [
    ({"district": "Skarholmen"}, False, "-p district 'Skarholmen' kan vara både stadsdelen Skärholmen och "
                                        "stadsdelsområdet Skärholmen. Ange koden: -p district sd-skarholmen"),
    ({"district": "Atlantis"}, False, "-p district: Okänt område 'Atlantis'"),
    ({"district": "Husby"}, True, "notebooken avbröts med ett fel (ValueError: nej); ingen sida skrevs"),
])
def test_export_refuses_with_a_message_in_user_terms(tmp_path, capsys, parameters, error, expected):
    path = _executed(tmp_path / "nb.ipynb", parameters, error)
    assert cli.main(["export", str(path), "--out", str(tmp_path / "out")]) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_notebook_that_did_not_run(tmp_path, capsys):
    assert cli.main(["export", str(plan.notebook_path("district")), "--out", str(tmp_path / "out")]) == 2
    assert "inte körd till slut" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_notebook_resolves_names_like_the_command_line(processed):
    """The district notebook turns the `district` parameter into the area record its sections
    take through the registry: a name gives the same section as the code."""
    from evalkit.present import district as report
    from evalkit.present.area import resolve

    by_name, by_code = (report.key_figures_section(resolve(d), 2020) for d in ("Husby", "sd-husby"))
    assert repr(by_name[1]) == repr(by_code[1]) and by_name[1].frame.columns[1] == "Husby"
    from evalkit import geography

    assert [geography.code_for(n) for n in ("Husby", "husby", "sd-husby", "Skärholmens sdn")] == \
        ["sd-husby", "sd-husby", "sd-husby", "sdo-skarholmen"]

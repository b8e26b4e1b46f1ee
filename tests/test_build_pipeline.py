"""The report pipeline's shortcuts give what the long way gives (issue 29, branch i29-pipeline).

Each shortcut skips work whose result is known: a validation that changes nothing, a parse of an
unchanged file, a format already computed. Here each is checked against the long way it replaces.
"""

import os
import random
import shutil
from decimal import ROUND_HALF_UP, Decimal

import nbformat
import pandas as pd
import pytest
from babel.numbers import format_decimal

from evalkit import data, programme
from evalkit.build import export, inprocess, runner
from evalkit.build.plan import ReportJob
from evalkit.paths import raw_dir

CELLS = [
    "print('utskrift')\nimport sys; print('fel', file=sys.stderr)",
    "from IPython.display import HTML, SVG, display\n"
    "display(HTML('<table><tr><td>1&nbsp;234</td></tr></table>'))\n"
    "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\"><text>å</text></svg>'))",
    "{'a': 1}",
    "raise ValueError('nej')",
]


def _executed(tmp_path):
    cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(c) for c in CELLS]
    cells[-1].metadata["tags"] = ["raises-exception"]
    nb = nbformat.v4.new_notebook(cells=cells + [nbformat.v4.new_markdown_cell("Slut &amp; *klart*")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    try:
        executed = inprocess.execute(str(path), {"x": 2}, cwd=str(tmp_path))
    except inprocess.NotebookFailed as failed:  # papermill marks an error output even where allowed
        executed = failed.notebook
    return export.normalise(executed)


def test_outputs_are_those_nbformat_makes_and_the_file_text_that_of_nbformat_writes(tmp_path):
    nb = _executed(tmp_path)
    kinds = {o["output_type"] for cell in nb.cells for o in cell.get("outputs", [])}
    assert kinds == {"stream", "display_data", "execute_result", "error"}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            fields = {k: v for k, v in output.items() if k != "output_type"}
            assert output == nbformat.v4.new_output(output["output_type"], **fields)  # which validates it
            assert list(output) == list(nbformat.v4.new_output(output["output_type"], **fields))
    text = export.notebook_json(nb)
    assert text == nbformat.writes(nb) + "\n"
    nbformat.validate(nbformat.reads(text, as_version=4))
    # Not normalised (a cell without an id): nbformat's own writer, which repairs it.
    del nb.cells[0]["id"]
    with pytest.warns(Warning, match="missing an id"):
        assert '"id": "' in export.notebook_json(nb).split('"cell_type": "code"')[1]


def test_the_export_still_validates_the_notebook_once(tmp_path):
    nb = _executed(tmp_path)
    export.to_html(nb, "Test")
    next(c for c in nb.cells if c.get("outputs")).outputs[0]["output_type"] = "no-such-output"
    with pytest.raises(nbformat.ValidationError):
        export.to_html(nb, "Test")


def _programme_copy(tmp_path):
    folder = tmp_path / "programme"
    shutil.copytree(raw_dir() / "programme", folder)
    return folder


def test_programme_tables_are_cached_by_content_and_handed_out_as_copies(tmp_path):
    folder = _programme_copy(tmp_path)
    first = programme.indicator_catalogue(folder)
    first.loc[0, "label_sv"] = "ändrad av en anropare"
    assert programme.indicator_catalogue(folder).loc[0, "label_sv"] != "ändrad av en anropare"
    # A rewrite of the same length with the old time stamp is still seen (the key is the bytes).
    path = folder / programme.CATALOGUE_FILE
    text, stat = path.read_text(encoding="utf-8"), path.stat()
    label = programme.indicator_catalogue(folder).loc[0, "label_sv"]
    path.write_text(text.replace(label, label[::-1], 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert programme.indicator_catalogue(folder).loc[0, "label_sv"] == label[::-1]
    # Same as reading without the cache, for all three readers.
    for reader, cached in ((programme.goals, programme._goals_in), (programme.indicator_catalogue,
                                                                   programme._catalogue_in),
                           (programme.goal_indicators, programme._goal_indicators_in)):
        kept = reader(folder)
        cached.cache_clear()
        pd.testing.assert_frame_equal(kept, reader(folder), check_exact=True)
    # A broken reference is still found after the referenced file changed.
    goals = folder / programme.GOALS_FILE
    goals.write_text("\n".join(goals.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    with pytest.raises(programme.ProgrammeDataError, match="unknown goal_id"):
        programme.goal_indicators(folder)
    (folder / programme.CATALOGUE_FILE).unlink()
    with pytest.raises(programme.ProgrammeDataError, match="file not found"):
        programme.indicator_catalogue(folder)


def test_the_tidy_table_is_read_again_when_its_file_changes(tmp_path):
    path = tmp_path / "indicators.parquet"
    pd.DataFrame({"value": [1.0, 2.0]}).to_parquet(path)
    assert data.tidy(path)["value"].tolist() == [1.0, 2.0]
    stat = path.stat()
    pd.DataFrame({"value": [1.0, 2.0, 3.0]}).to_parquet(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime, another size
    assert data.tidy(path)["value"].tolist() == [1.0, 2.0, 3.0]


def test_swedish_numbers_from_the_cache_are_babels():
    from evalkit.present import format as fmt

    rng = random.Random(29)
    values = [rng.uniform(-2e6, 2e6) for _ in range(500)] + [0.05, -0.04, 2.5, -0.5, 1.0, 1, 12.0, 1e-9]

    def babel(value, decimals):
        rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
        rounded = abs(rounded) if rounded == 0 else rounded
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(rounded, format=pattern, locale="sv_SE").replace("-", fmt.MINUS)

    # Decimals in turn, so that equal values with other exponents meet in the cache.
    for decimals in (2, 0, 1, 0, 2):
        assert [fmt.number(v, decimals) for v in values] == [babel(v, decimals) for v in values]


def test_reports_start_longest_first():
    jobs = [ReportJob(r, None, {}, s, s, "g") for r, s in
            (("city", "c"), ("projects", "p"), ("method", "m"), ("district", "d1"), ("district", "d2"))]
    assert [j.slug for j in runner._longest_first(jobs)] == ["c", "d1", "d2", "m", "p"]


def test_the_side_work_beside_the_reports_raises_its_error_in_the_build(monkeypatch, tmp_path):
    """The data package and the synthetic flag are made in a thread while the reports run (or here
    when no report runs); an error there stops the build as it did when they ran after the reports."""
    from evalkit.build import cache, datapackage

    def fail(*args):
        raise OSError("disken är full")

    done = []
    monkeypatch.setattr(datapackage, "write_if_changed", fail)
    monkeypatch.setattr(cache, "inputs_hash", lambda: "h")
    monkeypatch.setattr(cache, "job_key", lambda *args: "k")
    monkeypatch.setattr(cache, "chart_folder", lambda *args: None)
    monkeypatch.setattr(runner, "_run_isolated", lambda todo, *args: done.append(len(todo)) or [])
    job = ReportJob("district", None, {}, "d1", "d1", "g")
    with pytest.raises(OSError, match="disken"):
        runner.build([job], tmp_path, progress=False)  # beside one report
    with pytest.raises(OSError, match="disken"):
        runner.build([], tmp_path, progress=False)  # no report to run: done here
    assert done == [1]


def test_the_district_banner_is_that_of_the_published_table(processed):
    from evalkit.present import district, page

    expected = page.demo_banner(data.published_tidy()[0])
    banner = district.published_banner()
    assert (banner.html, banner.text) == (expected.html, expected.text)
    assert banner is not district.published_banner()


def test_result_tables_are_handed_out_as_copies(processed):
    from evalkit import results

    did = results.load("did")
    did.iloc[:, 0] = None
    pd.testing.assert_frame_equal(results.load("did"), pd.read_parquet(results.effects_dir() / "did.parquet"),
                                  check_exact=True)


def test_the_programme_wide_effect_parts_show_what_the_sections_show(processed):
    from IPython.core.formatters import DisplayFormatter

    from evalkit import results
    from evalkit.present import effects

    indicator = programme.effect_outcomes()[0]
    label = programme.indicator_catalogue().set_index("indicator").loc[indicator, "label_sv"]
    long_way = [effects.event_reading(indicator), effects.did_table(results.load("did"), indicator, label),
                effects.did_reading(indicator), effects.threats(indicator)]
    shown = DisplayFormatter().format
    assert [shown(p) for p in effects.programme_parts(indicator)] == [shown(p) for p in long_way]

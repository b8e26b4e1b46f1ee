"""Charts drawn once per data and code version (issue 29): the build's chart folder, and the
processed tables read once per process and version of the file."""

from __future__ import annotations

import os

import pandas as pd

from evalkit.build import cache
from evalkit.present import charts, district
from evalkit.present.area import resolve


def _tenure_shares(hyr: float = 60.0) -> pd.DataFrame:
    return pd.DataFrame([{"label": "Tensta 2020", "hyresrätt": hyr, "bostadsrätt": 30.0, "äganderätt": 100 - 30 - hyr,
                          "mangfald": 0.5}])


def test_a_chart_is_drawn_once_per_key_and_read_back_byte_for_byte(tmp_path, monkeypatch):
    assert charts.CACHE_ENV == cache.CHART_ENV  # one name in build/ and present/
    drawn = []

    def draw():
        drawn.append(1)
        return charts._tenure_bars(_tenure_shares(), "test")

    monkeypatch.delenv(charts.CACHE_ENV, raising=False)
    fresh = charts.reuse(("k", 1), draw)
    charts.reuse(("k", 1), draw)
    assert len(drawn) == 2  # no folder (tests, nbval, a notebook by hand): always drawn
    monkeypatch.setenv(charts.CACHE_ENV, str(tmp_path))
    first, again = charts.reuse(("k", 1), draw), charts.reuse(("k", 1), draw)
    assert len(drawn) == 3 and again == first == fresh  # the same bytes, alt text, type and layout
    charts.reuse(("k", 2), draw)
    assert len(drawn) == 4 and len(list(tmp_path.glob("*.json"))) == 2


def test_reused_report_charts_equal_drawn_ones(tmp_path, monkeypatch):
    from evalkit import programme

    rows = pd.DataFrame([{"area_code": c, "indicator": "ekonomiskt_bistand", "year": y, "value": v + y - 2014,
                          "status": "", "numerator": 1.0, "denominator": 1.0, "source": "test"}
                         for c, v in (("sd-tensta", 10.0), ("ovriga-staden", 3.0)) for y in (2014, 2015, 2016)])
    links = pd.DataFrame({"indicator": ["ekonomiskt_bistand"]})
    args = (rows, programme.indicator_catalogue(), links, resolve("sd-tensta"), 2006, 2020)
    monkeypatch.delenv(charts.CACHE_ENV, raising=False)
    drawn = district.goal_trends(*args) + [charts.tenure_bars(_tenure_shares(55.0), "test")]
    monkeypatch.setenv(charts.CACHE_ENV, str(tmp_path))
    for _ in range(2):  # first written, then read
        assert district.goal_trends(*args) + [charts.tenure_bars(_tenure_shares(55.0), "test")] == drawn
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_the_chart_folder_is_per_input_version_and_emptied_by_force(tmp_path):
    folder = cache.chart_folder(tmp_path, "inputs-1")
    (folder / "a.json").write_text("{}")
    assert cache.chart_folder(tmp_path, "inputs-1") == folder and (folder / "a.json").exists()
    assert not (cache.chart_folder(tmp_path, "inputs-1", force=True) / "a.json").exists()
    (folder / "a.json").write_text("{}")
    other = cache.chart_folder(tmp_path, "inputs-2")
    assert other != folder and not folder.exists() and other.is_dir()


def test_a_rewritten_published_table_is_read_again(processed, tmp_path, monkeypatch):
    from evalkit import data
    from evalkit.paths import processed_dir

    for name in (data.PUBLISHED_TABLE, data.SUPPRESSION_LOG):
        (tmp_path / name).write_bytes((processed_dir() / name).read_bytes())
    monkeypatch.setattr(data, "processed_dir", lambda: tmp_path)
    table, _ = data.published_tidy()
    assert data.published_tidy()[0] is not table  # each caller gets its own copy …
    path = tmp_path / data.PUBLISHED_TABLE
    table.head(10).to_parquet(path, index=False)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # … and a later version of the file
    assert len(data.published_tidy()[0]) == 10 and len(table) > 10


def _funnel(codes=("sd-tensta", "sd-husby", "sd-rinkeby", "sd-kista")) -> pd.DataFrame:
    return pd.DataFrame({"area_code": list(codes), "value": [12.0, 9.5, 14.0, 3.0],
                         "denominator": [18_000.0, 11_000.0, 16_000.0, 12_000.0], "reference_value": 6.0,
                         "lower_95_od": 2.0, "upper_95_od": 10.0, "lower_998_od": 1.0, "upper_998_od": 13.0,
                         "outside_998_od": ["", "", "över", ""]})


def test_risk_charts_are_kept_and_a_borough_funnel_is_drawn_once(tmp_path, monkeypatch):
    """The funnel plot marks a stadsdel's own point; every borough report shows the same unmarked
    chart, which is drawn once and read back byte for byte (as are the domain charts)."""
    from evalkit.present import risk

    index = pd.DataFrame([{"area_code": "sd-tensta", "year": y, **{d: 100.0 + i + y - 2012 for i, (d, _) in
                                                                   enumerate(risk.DOMAINS)}} for y in (2012, 2020)])
    label = "Andel invånare med ekonomiskt bistånd (procent)"

    def charts_of_three_reports():
        return [risk.funnel_chart(_funnel(), "sd-tensta", label), risk.funnel_chart(_funnel(), "sdo-spanga-tensta", label),
                risk.funnel_chart(_funnel(), "sdo-rinkeby-kista", label),
                risk.domain_chart(index, "sd-tensta", (2012, 2020), base_year=2012)]

    monkeypatch.delenv(charts.CACHE_ENV, raising=False)
    drawn = charts_of_three_reports()
    assert drawn[1] == drawn[2] != drawn[0]  # boroughs: no area marked, the same chart
    calls = []
    draw = risk._funnel_chart
    monkeypatch.setattr(risk, "_funnel_chart", lambda *a: calls.append(1) or draw(*a))
    monkeypatch.setenv(charts.CACHE_ENV, str(tmp_path))
    for _ in range(2):  # first written, then read
        assert charts_of_three_reports() == drawn
    assert len(calls) == 2 and len(list(tmp_path.glob("*.json"))) == 3  # Tensta's, the boroughs', the domains


def test_the_warm_up_measures_text_and_keeps_no_chart(processed, tmp_path, monkeypatch):
    """risk.warm_text_measurement (run by the build's warm template) draws one area's charts to
    measure their text: the measurements are kept, the charts are not (not even with a chart folder)."""
    from evalkit.present import risk, svg

    monkeypatch.setenv(charts.CACHE_ENV, str(tmp_path))
    assert risk.warm_text_measurement.__wrapped__() == len(svg._TEXT) > 100
    assert not list(tmp_path.iterdir()) and os.environ[charts.CACHE_ENV] == str(tmp_path)

"""SVG output through evalkit.present.svg: matplotlib's own bytes, with text measured once per process.

The reference is matplotlib itself: ``Figure.savefig(format="svg")`` with its own canvas and, for
the cropped charts, its own ``bbox_inches="tight"`` (which draws the figure once more first).
"""

from __future__ import annotations

import io

import matplotlib
import pandas as pd
import pytest
from matplotlib.backends import backend_agg, backend_svg
from matplotlib.figure import Figure

from evalkit.present import charts, svg
from evalkit.present import format as fmt


def _matplotlib_svg(fig, tight: bool) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(charts._SVG_RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight" if tight else None, metadata=charts._SVG_METADATA)
    return buffer.getvalue()


@pytest.fixture
def compared(monkeypatch):
    """Every chart saved through :func:`svg.save` is also saved by matplotlib alone; yields the pairs."""
    pairs = []
    save = svg.save

    def both(fig, *, tight, metadata):
        ours = save(fig, tight=tight, metadata=metadata)
        pairs.append((ours, _matplotlib_svg(fig, tight)))
        return ours

    monkeypatch.setattr(svg, "save", both)
    return pairs


def _series(names, years=range(2010, 2021)):
    return pd.concat([pd.DataFrame({"area_name": name, "year": list(years),
                                    "value": [5.0 + 2 * i + 0.37 * k for k, _ in enumerate(years)]})
                      for i, name in enumerate(names)], ignore_index=True)


def test_goal_indicator_charts_are_matplotlibs_own_svg(compared):
    figure = charts.TrendGapFigure()
    figure.draw(_series(["Tensta", "Programområdet", "Övriga staden", "Riket"]), "Andel förvärvsarbetande "
                "bland invånare 20–64 år", "procent", "SCB; Stockholms stad", "procentenheter", "Övriga staden")
    figure.draw(_series(["Husby"], range(2014, 2021)), "Andel av stadens invånare", "procent", "SCB",
                "procentenheter", "", note="Jämförs med områdets egna tidigare år.", change_since=2014)
    assert len(compared) == 2
    for ours, reference in compared:
        assert ours == reference


def test_cropped_narrow_charts_are_matplotlibs_own_svg(compared):
    """The tenure bars: fitted to the narrow width (raster measurement) and cropped "tight"."""
    shares = pd.DataFrame({"label": ["Tensta 2014", "Tensta 2020", "Staden 2020"], "hyresrätt": [70.0, 65.5, 45.0],
                           "bostadsrätt": [25.0, 30.0, 40.0], "äganderätt": [5.0, 4.5, 15.0],
                           "mangfald": [0.44, 0.48, 0.62]})
    charts._tenure_bars(shares, "SCB", note="Staplarna 2014 är demodata.")
    (ours, reference), = compared
    assert ours == reference


def test_a_map_like_chart_is_matplotlibs_own_svg(compared):
    """Equal aspect (the axes shrink when laid out), hatching, annotations, axis off, cropped."""
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.subplots()
    ax.fill([0, 4, 3, 0], [0, 0, 3, 2], color="#cfe3f2", hatch="///", edgecolor="#9a9a9a", linewidth=0.4)
    ax.annotate("Rinkeby", (2, 1), ha="center", fontsize=7, fontweight="bold")
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("Rinkeby och angränsande stadsdelar", loc="left", fontsize=11)
    fig.text(0.01, 0.01, "Källa: test", fontsize=7.5)
    charts.render(fig, "Karta")
    (ours, reference), = compared
    assert ours == reference


def test_log_scale_chart_with_labels_is_matplotlibs_own_svg(compared):
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(charts.NARROW_RC):
        fig, ax = plt.subplots(figsize=(charts.NARROW_WIDTH, 4.2))
        ax.scatter([200, 2_000, 20_000], [3.5, 1.2, 0.4], s=14, color="#999999", label="Stadsdelar")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(charts.SwedishTicks())
        ax.set_xlabel("Invånare (logaritmisk skala)")
        ax.set_ylabel("Andel med\nekonomiskt bistånd")
        ax.set_title("Trattdiagram:\nekonomiskt bistånd", loc="left", y=charts.TITLE_Y)
        ax.legend(frameon=False)
    charts.render(fig, "Trattdiagram", layout="narrow")
    (ours, reference), = compared
    assert ours == reference


def test_a_title_placed_by_hand_sits_where_matplotlib_puts_it():
    """TITLE_Y: where matplotlib's own placement puts a title when nothing is above the axes."""
    import matplotlib.pyplot as plt

    def drawn(**title):
        fig, ax = plt.subplots(figsize=(4.8, 3))
        ax.barh(["a", "b"], [1, 2])
        ax.set_title("Index för sociala risker\nper huvudområde", loc="left", **title)
        return charts.render(fig, "t", layout="narrow").data

    assert drawn(y=charts.TITLE_Y) == drawn()


TEXTS = [
    dict(s="Husby"), dict(s="2014"), dict(s="Skillnad mot Övriga staden (procentenheter)", fontsize=12),
    dict(s="Källa: SCB; Stockholms stad.\nStreckad linje: programstart 2014.", fontsize=9.5, linespacing=1.15),
    dict(s="Index för sociala risker\nper huvudområde,\nRinkeby", fontsize=13, ha="left", va="top"),
    dict(s="−0,5", fontsize=11, ha="right", va="center"), dict(s="Invånare", rotation=90, fontsize=12),
    dict(s="Tensta", fontweight="bold", fontsize=7, ha="center"), dict(s="linjer\n\nmed tom rad", va="baseline"),
]


@pytest.mark.parametrize("kind, dpi", [("svg", 72), ("agg", 100), ("agg", 200)])
def test_text_is_laid_out_as_with_matplotlibs_renderers(kind, dpi):
    """Cached measurement and font height metrics give matplotlib's layout to the last bit, the
    first time (filling the cache) and the second (from it)."""
    fig = Figure(dpi=dpi)
    if kind == "svg":
        plain = backend_svg.RendererSVG(400, 300, io.StringIO())
        cached = svg.RendererSVG(400, 300, io.StringIO(), figure=fig)
    else:
        plain = backend_agg.RendererAgg(400, 300, dpi)
        cached = svg.RendererAgg(400, 300, dpi, figure=fig)
    for spec in TEXTS:
        spec = dict(spec)
        text = fig.text(0.1, 0.2, spec.pop("s"), **spec)
        expected = text._get_layout(plain)
        bbox, lines, descent = expected
        for _ in range(2):
            got = text._get_layout(cached)
            assert got[0].bounds == bbox.bounds and got[1] == lines and got[2] == descent


def test_the_measurement_is_kept_per_font_size_and_dpi():
    fig = Figure(dpi=100)
    small, large = (matplotlib.font_manager.FontProperties(size=s) for s in (10, 12))
    svg_renderer = svg.RendererSVG(400, 300, io.StringIO(), figure=fig)
    assert (svg_renderer.get_text_width_height_descent("Rinkeby", small, False)
            != svg_renderer.get_text_width_height_descent("Rinkeby", large, False))
    low, high = (svg.RendererAgg(400, 300, dpi, figure=fig) for dpi in (100, 200))
    assert (low.get_text_width_height_descent("Rinkeby", small, False)
            != high.get_text_width_height_descent("Rinkeby", small, False))
    assert high.get_text_width_height_descent("Rinkeby", small, False) == backend_agg.RendererAgg(
        400, 300, 200).get_text_width_height_descent("Rinkeby", small, False)


@pytest.mark.parametrize("value, decimals", [(0.0, 0), (-0.0, 1), (0.38, 2), (1234.5, 1), (-2.25, 1), (10000.0, 0)])
def test_remembered_tick_labels_are_the_formatted_numbers(value, decimals):
    for _ in range(2):
        assert charts._tick_label(value, decimals) == fmt.number(value, decimals)

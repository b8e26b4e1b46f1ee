"""Charts: reproducible SVG, alt text with the numbers, and a reused figure that changes nothing."""

import pandas as pd
import pytest
import pytest

from evalkit.present import charts
from evalkit.present import format as fmt


def _series(offset: float, names=("Tensta", "Programområdet", "Övriga staden"), years=range(2006, 2021)):
    return pd.concat([pd.DataFrame({"area_name": name, "year": list(years),
                                    "value": [offset + 3 * i + 0.5 * k for k, _ in enumerate(years)]})
                      for i, name in enumerate(names)], ignore_index=True)


CHART_A = (_series(1000.0, ("Skärholmen (stadsdelsområde)", "Programområdet", "Övriga staden", "Riket")),
           "Förvärvsinkomst", "kronor", "SCB", "kronor", "Övriga staden")
CHART_B = (_series(2.0, years=range(2010, 2021)), "Andel med ekonomiskt bistånd", "procent",
           "Stockholms stad; " + "en lång källa som bryts på flera rader " * 6, "procentenheter", "Övriga staden")


def test_reused_figure_draws_exactly_what_a_fresh_figure_draws():
    reused = charts.TrendGapFigure()
    first = reused.draw(*CHART_A)
    second = reused.draw(*CHART_B)
    assert second.data == charts.TrendGapFigure().draw(*CHART_B).data
    assert second.alt == charts.TrendGapFigure().draw(*CHART_B).alt
    assert first.data != second.data
    # and back again: nothing of B (more source lines, other years, fewer areas) stays behind
    assert reused.draw(*CHART_A).data == first.data


def test_svg_is_reproducible_and_has_no_volatile_metadata():
    one = charts.trend_gap_chart(*CHART_B)
    two = charts.trend_gap_chart(*CHART_B)
    assert one.data == two.data
    text = one.data.decode("utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "<dc:date>" not in text and "Matplotlib v" not in text
    # text stays text (browser fonts, searchable, small)
    assert "Andel med ekonomiskt bistånd" in text


def test_chart_shows_as_svg_with_alt_text_and_a_text_twin():
    chart = charts.trend_gap_chart(*CHART_B)
    bundle, metadata = chart._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["text/plain"] == chart.alt == metadata["image/svg+xml"]["alt"]
    # the alt text carries the numbers in Swedish format: gap first and last year, latest values
    assert "Linjediagram med skillnadspanel: Andel med ekonomiskt bistånd (procent)" in chart.alt
    gap = fmt.number(-6.0, 1)
    assert f"skillnaden mot Övriga staden var {gap} procentenheter år 2010 och {gap} procentenheter år 2020" in chart.alt
    assert "Tensta 7,0 år 2020" in chart.alt


def test_png_remains_available():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    chart = charts.render(fig, "Linje", image=charts.PNG)
    assert chart.data.startswith(b"\x89PNG") and chart.mimetype == "image/png"
    assert set(chart._repr_mimebundle_()[0]) == {"image/png", "text/plain"}


@pytest.mark.parametrize("locs, labels", [
    ([0.38, 0.40, 0.42], ["0,38", "0,40", "0,42"]),   # not "0,4 0,4 0,4"
    ([0, 4, 8, 12], ["0", "4", "8", "12"]),
    ([0.25, 0.5, 0.75], ["0,25", "0,50", "0,75"]),
    ([10, 100, 1000, 10000], ["10", "100", "1\u00a0000", "10\u00a0000"]),
])
def test_tick_labels_are_swedish_and_distinct(locs, labels):
    ticks = charts.SwedishTicks()
    ticks.set_locs(locs)
    assert [ticks(v) for v in locs] == labels


def test_goal_indicator_chart_is_narrow_with_text_legible_on_a_phone():
    import re

    chart = charts.trend_gap_chart(*CHART_A)
    assert chart._repr_mimebundle_()[1]["image/svg+xml"]["layout"] == "narrow"  # the page pairs these
    svg = chart.data.decode("utf-8")
    assert 'width="345.6pt"' in svg  # 4.8 in: about 360 px on a phone, half an A4 text width in print
    sizes = sorted({float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)})
    # labels, ticks and legend 12 pt (≈ 80 % of 16 px body text at phone width), the source line smaller
    assert sizes[0] == 9.5 and sizes[1] >= 12


def test_chart_colours_have_the_names_a_reader_sees():
    assert charts.colour_name_sv(charts.PALETTE[1]) == "orange"
    assert charts.colour_name_sv(charts.PALETTE[0]) == "blå"
    assert "röd" not in charts.colour_name_sv(charts.PALETTE[5])  # vermillion is read as orange, not red
    assert all(charts.colour_name_sv(c) for c in charts.PALETTE)
    with pytest.raises(KeyError):
        charts.colour_name_sv("#123456")


def test_a_narrow_chart_whose_title_is_wider_than_the_figure_still_renders():
    """Issue 29's 117-report build: sd-sodra-hammarbyhamnen's index chart failed with matplotlib's
    'left cannot be >= right', because its title line (anchored at the axes' left edge, beside long
    domain names) was wider than the figure: narrowing the axes could never make it fit. The fit
    now stops with the axes at least MIN_AXES_SHARE wide and the crop takes the whole title."""
    import matplotlib

    from evalkit.present.charts import NARROW_RC, NARROW_WIDTH, _fit_width

    with matplotlib.rc_context(NARROW_RC):
        fig = matplotlib.figure.Figure(figsize=(NARROW_WIDTH, 4.4))
        ax = fig.add_subplot()
        ax.barh([0, 1], [90, 120])
        ax.set_yticks([0, 1], ["Säkerhet & trygghet", "Sociala riskfaktorer"])
        ax.set_title("huvudområde, Södra Hammarbyhamnen och mer", loc="left")
        _fit_width(fig, NARROW_WIDTH - 0.3)
        params = fig.subplotpars
        assert params.right - params.left >= charts.MIN_AXES_SHARE
        chart = charts.render(fig, "Stapeldiagram.", layout="narrow")
    assert b"Hammarbyhamnen" in chart.data  # rendered (text as text), not raised

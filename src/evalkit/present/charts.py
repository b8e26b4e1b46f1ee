"""Charts for reports: Swedish labels, a source line, a colour-blind-safe palette, alt text.

Each chart is returned as a :class:`Chart` that Jupyter shows as an image (SVG; PNG on request,
``render(..., image=PNG)``) whose alt text (also the plain-text representation, which nbval compares) states what
the chart shows in numbers.

SVG rather than PNG: vector charts stay sharp on any screen, are half the size, and drawing them
skips rasterising (a report has ~20 charts; this is most of its build time). Text stays text
(``svg.fonttype = none``) and ids are salted with a constant, so the bytes are reproducible.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import pickle
import tempfile
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from evalkit.present import format as fmt, svg  # noqa: E402
from evalkit.programme import PROGRAMME_START  # noqa: E402

# Okabe–Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
#: What each palette colour is called in Swedish text about a chart (Okabe & Ito's own names:
#: blue, orange, bluish green, reddish purple, sky blue, vermillion – a dark orange –, yellow, black), so that a
#: sentence says the colour the reader sees ("orange punkter", never "röda" for #E69F00).
COLOUR_NAMES_SV = {"#0072B2": "blå", "#E69F00": "orange", "#009E73": "blågrön", "#CC79A7": "rosalila",
                   "#56B4E9": "himmelsblå", "#D55E00": "mörkorange", "#F0E442": "gul", "#000000": "svart",
                   "#999999": "grå", "#333333": "mörkgrå"}


def colour_name_sv(colour: str) -> str:
    """The Swedish name of a chart colour (:data:`PALETTE` or the greys the charts use):
    ``colour_name_sv(PALETTE[1])`` -> ``"orange"``. An unknown colour raises ``KeyError``: a text
    must not name a colour the chart does not draw."""
    return COLOUR_NAMES_SV[colour.upper() if colour.startswith("#") else colour]
SVG = "image/svg+xml"
PNG = "image/png"
# Text as <text> (browser fonts, small files); a constant salt makes the element ids deterministic.
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "evalkit"}
_SVG_METADATA = {"Date": None, "Creator": None}


@dataclass
class Chart:
    """A rendered chart: image bytes (SVG or PNG) plus the alt text that describes it."""

    data: bytes
    alt: str
    mimetype: str = SVG
    #: "narrow" for charts drawn to be shown two side by side (the page's stylesheet pairs them).
    layout: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None):
        payload = self.data.decode("utf-8") if self.mimetype == SVG else base64.b64encode(self.data).decode("ascii")
        meta = {"alt": self.alt, **({"layout": self.layout} if self.layout else {})}
        return {self.mimetype: payload, "text/plain": self.alt}, {self.mimetype: meta}

    def __repr__(self) -> str:
        return self.alt


#: Set by `evalkit build` for the reports it runs (:mod:`evalkit.build.runner`): a folder of the
#: build cache for this version of the processed data. Unset (tests, nbval, a notebook opened by
#: hand), every chart is drawn.
CACHE_ENV = "EVALKIT_CHART_CACHE"


#: The modules whose charts :func:`reuse` keeps.
CHART_MODULES = ("evalkit.present.charts", "evalkit.present.maps", "evalkit.present.risk")


@lru_cache(maxsize=1)
def _code_versions() -> dict[str, str]:
    """Per chart module, a hash of the evalkit code it can run (its import closure) and matplotlib's
    version. Computed once per process: the build's warm template computes it (a zero-argument
    cached loader), so that no forked report parses the code again."""
    from evalkit import fingerprint

    return {module: fingerprint.code_hash([module]) + matplotlib.__version__ for module in CHART_MODULES}


def reuse(key: tuple, draw, module: str = __name__) -> Chart:
    """``draw()``, or the chart it gave before for the same ``key`` in this data version.

    ``key`` holds everything the chart is drawn from (its data, words and options); with the
    drawing code (``module``'s import closure) and the data version (the folder in
    :data:`CACHE_ENV`) it names one chart, so a chart is drawn once per data and code version and
    a page that shows it again – in a rebuild after a change of its words, or a report of another
    year range – reads the same bytes. Hand-written rather than ``joblib.Memory``: that keys on one
    function's source only and clears its whole cache when that changes, which races when two report
    processes write at once; here the key covers the code the chart runs and a write is one atomic rename.
    """
    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return draw()
    digest = hashlib.sha256(pickle.dumps((module, _code_versions()[module], key), protocol=4)).hexdigest()
    path = Path(folder) / f"{digest}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return Chart(base64.b64decode(stored["data"]), stored["alt"], stored["mimetype"], stored["layout"])
    except (OSError, ValueError, KeyError):
        pass
    chart = draw()
    text = json.dumps({"data": base64.b64encode(chart.data).decode("ascii"), "alt": chart.alt,
                       "mimetype": chart.mimetype, "layout": chart.layout})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)  # atomic: a report reading at the same time sees all or nothing
    except OSError:
        pass  # a cache that cannot be written only makes the next build draw again
    return chart


def join_sources(sources) -> str:
    """Sources as one text, each named once: a derived indicator's source lists its inputs'
    sources ("härlett …; SCB …"), so several rows often repeat the same parts."""
    parts = (part.strip() for src in sorted(set(sources)) for part in str(src).split("; "))
    return "; ".join(dict.fromkeys(p for p in parts if p))


def source_line(fig, text: str, y: float = -0.02) -> None:
    """The source under a chart, wrapped so a long list of sources doesn't widen the figure."""
    fig.text(0.01, y, "\n".join(textwrap.wrap(text, 120)), fontsize=7.5, color="#333333", ha="left", va="top")


class SwedishTicks(matplotlib.ticker.Formatter):
    """Tick labels in Swedish number format with as many decimals as the ticks need.

    The decimals are chosen from all tick values together (0,38 0,40 0,42 — not 0,4 0,4 0,4),
    the fewest with which every tick is shown exactly (at most 4).
    """

    def __init__(self):
        self.decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        values = [float(v) for v in locs if np.isfinite(v)]
        scale = max((abs(v) for v in values), default=1.0) or 1.0
        self.decimals = next((d for d in range(5) if all(abs(round(v, d) - v) <= 1e-9 * scale for v in values)), 4)

    def __call__(self, value, pos=None) -> str:
        return _tick_label(float(value), self.decimals)


@lru_cache(maxsize=4096)
def _tick_label(value: float, decimals: int) -> str:
    """A tick label (:func:`evalkit.present.format.number`): the same few values recur on every
    chart and every save, and formatting one takes Babel tens of microseconds."""
    return fmt.number(value, decimals)


#: Where an axes title sits (``set_title(..., y=TITLE_Y)``): at the top of the axes, where matplotlib
#: puts it itself when nothing above the axes is in its way – and in these charts nothing is (no tick
#: labels or offset text on top). Given, matplotlib skips that check, which measures the whole y axis
#: again on every layout pass (a fifth of a narrow chart's time); the picture is the same.
TITLE_Y = 1.0


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


#: Charts drawn for phones as well as wide screens and print: 4.8 in wide with 12 pt text, so
#: that at 390 px (about 360 px for the image) their text is about 80 % of the body text; a wide
#: screen shows two side by side, print two to a row (``Chart.layout = "narrow"``).
NARROW_WIDTH = 4.8
NARROW_RC = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 11,
             "xtick.labelsize": 11, "ytick.labelsize": 11}


#: The least share of a narrow chart's width that :func:`_fit_width` leaves to the axes.
MIN_AXES_SHARE = 0.25


def _fit_width(fig, width: float, rounds: int = 4) -> None:
    """Make ``fig`` ``width`` inches wide with everything drawn inside it: the axes are narrowed
    until the labels beside them (tick labels, a long y label) fit, so that a narrow chart's text
    keeps its size on a phone instead of the image being scaled down."""
    fig.set_size_inches(width, fig.get_size_inches()[1])
    pad = 0.05
    renderer = svg.renderer_agg(fig)  # the canvas's renderer, with text measured once per process
    for _ in range(rounds):
        box = fig.get_tightbbox(renderer)  # inches
        over_left, over_right = pad - box.x0, box.x1 - (width - pad)
        if over_left <= 0.01 and over_right <= 0.01:
            return
        params = fig.subplotpars
        left = params.left + max(over_left, 0) / width
        right = params.right - max(over_right, 0) / width
        if right - left < MIN_AXES_SHARE:
            # Text wider than the figure whatever the axes do (a long area name in a title anchored
            # at the axes' left edge): keep the axes, let the tight crop widen the image instead.
            return
        fig.subplots_adjust(left=left, right=right)


def render(fig, alt: str, *, image: str = SVG, tight: bool = True, layout: str = "") -> Chart:
    """Render a figure without volatile metadata and close it (nothing leaks between charts).

    ``tight`` crops to the drawn elements (a second layout pass, :func:`evalkit.present.svg.tight_bbox`);
    charts drawn many times per report lay themselves out and pass ``tight=False``. SVG goes
    through :mod:`evalkit.present.svg` (matplotlib's SVG output, text measured once per process).
    """
    if layout == "narrow" and tight:
        _fit_width(fig, NARROW_WIDTH - 0.3)  # + bbox_inches="tight"'s 0.1 in each side and SVG text
    if image == SVG:
        with matplotlib.rc_context(_SVG_RC):
            data = svg.save(fig, tight=tight, metadata=_SVG_METADATA)
    else:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight" if tight else None,
                    metadata={"Software": None})
        data = buffer.getvalue()
    plt.close(fig)
    return Chart(data, alt, image, layout)


class TrendGapFigure:
    """Two panels per goal indicator: the area and its comparisons, and the area's gap to a reference.

    A district report draws one per goal indicator (14), so one figure is built once and redrawn
    with each indicator's data: axes, ticks and fixed elements are reused, the layout is set in
    inches (no tight-bbox pass). This halves the report's drawing time; the output of
    :meth:`draw` depends only on its arguments (each draw replaces all data-bearing artists and
    rescales), so reusing the figure changes no chart.

    The figure is narrow (4.8 in) with 12 pt text and the legend below the panels: on a
    phone (about 360 px for the image) its text is then about 80 % of the page's body text, in
    print two charts share a row at a legible size, and a wide screen shows two side by side.
    """

    WIDTH = 4.8
    TOP_PLOT, GAP_PLOT = 2.3, 0.95  # panel heights (in)
    LEFT, RIGHT = 0.82, 0.15
    FONT, TITLE_FONT, SOURCE_FONT = 12, 13, 9.5

    def __init__(self, start_year: int = PROGRAMME_START):
        from matplotlib.figure import Figure  # no pyplot: nothing registered globally

        self.start_year = start_year
        self.fig = Figure(figsize=(self.WIDTH, 5.5))
        self.top, self.bottom = self.fig.subplots(2, 1, sharex=True)
        for ax in (self.top, self.bottom):
            ax.axvline(start_year, color="#555555", linestyle="--", linewidth=1)
            _style(ax)
            ax.yaxis.set_major_formatter(SwedishTicks())
            ax.tick_params(labelsize=self.FONT)
        self.bottom.axhline(0, color="#333333", linewidth=0.8)
        self.top.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
        self.bottom.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
        self.top.tick_params(axis="x", bottom=False)  # the shared year axis is marked on the lower panel
        # These axis labels stay empty (the unit is the upper panel's y label; years need none) and an
        # empty label draws nothing; placed by hand, they spare matplotlib measuring every tick
        # label of the panels on each save to place them.
        for axis in (self.top.xaxis, self.bottom.xaxis, self.bottom.yaxis):
            axis.set_label_coords(0.5, 0.5)
        self.title = self.fig.text(0, 0, "", fontsize=self.TITLE_FONT, ha="left", va="top", linespacing=1.15)
        self.gap_title = self.fig.text(0, 0, "", fontsize=self.FONT, ha="left", va="bottom")
        self.source = self.fig.text(0.01, 0, "", fontsize=self.SOURCE_FONT, color="#333333", ha="left", va="bottom")
        self._data_artists: list = []

    def draw(self, series: pd.DataFrame, title: str, unit: str, source: str, gap_unit: str,
             reference_name: str, note: str = "", change_since: int | None = None) -> Chart:
        """Render one indicator. ``series`` has ``area_name, year, value``; the first area is the
        report's area; the gap is area − ``reference_name`` in ``gap_unit``, or, with
        ``change_since`` (an indicator compared over time only), the area − the area that year.
        ``note`` (why a comparison is missing) is printed under the chart and added to the alt text.

        Drawn once per data and code version (:func:`reuse`)."""
        key = ("TrendGapFigure", self.start_year, series, title, unit, source, gap_unit, reference_name, note,
               change_since)
        return reuse(key, lambda: self._draw(series, title, unit, source, gap_unit, reference_name, note,
                                             change_since))

    def _draw(self, series: pd.DataFrame, title: str, unit: str, source: str, gap_unit: str,
              reference_name: str, note: str = "", change_since: int | None = None) -> Chart:
        for artist in self._data_artists:
            artist.remove()
        self._data_artists = []
        by_area = {name: g.sort_values("year").set_index("year")["value"]
                   for name, g in series.groupby("area_name", sort=False)}
        names = list(by_area)
        # Wrap widths for this width and these font sizes (DejaVu Sans ≈ 0.55 em per character).
        title_lines = textwrap.wrap(title, 38)
        source_lines = textwrap.wrap(f"Källa: {source}. Streckad linje: programstart {self.start_year}.", 66)
        if note:  # why a comparison is missing, above the source
            source_lines = textwrap.wrap(note, 66) + source_lines
        legend_rows = (len(names) + 1) // 2
        # Heights from the top, in inches: title, upper panel, gap title, gap panel, year ticks,
        # legend, source.
        title_in = 0.12 + 0.23 * len(title_lines)
        gap_title_in = 0.34
        ticks_in = 0.36
        legend_in = 0.08 + 0.24 * legend_rows
        source_in = 0.08 + 0.165 * len(source_lines)
        height = title_in + self.TOP_PLOT + gap_title_in + self.GAP_PLOT + ticks_in + legend_in + source_in
        self.fig.set_size_inches(self.WIDTH, height)
        width = (self.WIDTH - self.LEFT - self.RIGHT) / self.WIDTH
        left = self.LEFT / self.WIDTH
        gap_bottom = (ticks_in + legend_in + source_in) / height
        self.bottom.set_position([left, gap_bottom, width, self.GAP_PLOT / height])
        self.top.set_position([left, gap_bottom + (self.GAP_PLOT + gap_title_in) / height, width,
                               self.TOP_PLOT / height])
        for i, name in enumerate(names):
            s = by_area[name]
            self._data_artists += self.top.plot(s.index, s.to_numpy(), marker="o" if i == 0 else None, markersize=3.5,
                                                linewidth=2.8 if i == 0 else 1.7, color=PALETTE[i % len(PALETTE)],
                                                label=name)
        if change_since is not None and names:
            own = by_area[names[0]]
            gap = (own - own.get(change_since, float("nan"))).dropna()
            gap_label = f"Förändring sedan {change_since}"
        else:
            gap = (by_area[names[0]] - by_area.get(reference_name, pd.Series(dtype=float))).dropna() if names else pd.Series(dtype=float)
            gap_label = f"Skillnad mot {reference_name}"
        # The gap bars as one collection (one artist instead of one patch per year).
        half = 0.3
        bars = PolyCollection([[(x - half, 0), (x - half, y), (x + half, y), (x + half, 0)] for x, y in gap.items()],
                              facecolors=PALETTE[0], edgecolors="none")
        self.bottom.add_collection(bars, autolim=False)
        self._data_artists.append(bars)
        for ax in (self.top, self.bottom):
            ax.relim()  # lines only; the bars' extent is added below
        if note and not len(gap):  # say so where the bars would be, rather than an empty panel
            self._data_artists.append(self.bottom.text(
                0.5, 0.5, f"Skillnaden mot {reference_name} kan inte visas (se noten under diagrammet)",
                transform=self.bottom.transAxes, ha="center", va="center", fontsize=8, color="#333333",
                bbox={"facecolor": "white", "edgecolor": "none"}))
        if len(gap):
            self.bottom.update_datalim([(gap.index.min() - half, 0), (gap.index.max() + half, 0),
                                        (gap.index.min(), gap.min()), (gap.index.max(), gap.max())])
        for ax in (self.top, self.bottom):
            ax.autoscale_view()
        years = sorted(series["year"].dropna().unique())
        if years:
            first, last = int(years[0]), int(years[-1])
            # Every year would crowd 12 pt labels in 3.8 in: one label per 2 (up to 10 years) or 4.
            step = 1 if last - first <= 5 else (2 if last - first <= 10 else 4)
            self.bottom.set_xticks(list(range(last - step * ((last - first) // step), last + 1, step)))
        self.top.set_ylabel(unit, fontsize=self.FONT)
        handles, labels = self.top.get_legend_handles_labels()
        legend = self.fig.legend(handles, labels, frameon=False, fontsize=self.FONT, ncols=2,
                                 loc="upper left", bbox_to_anchor=(0.01, (legend_in + source_in) / height),
                                 borderaxespad=0, handlelength=1.6, columnspacing=1.0, labelspacing=0.3)
        self._data_artists.append(legend)
        self.title.set_text("\n".join(title_lines))
        self.title.set_position((0.01, 1 - 0.08 / height))
        self.gap_title.set_text(f"{gap_label} ({gap_unit})")
        self.gap_title.set_position((0.01, gap_bottom + (self.GAP_PLOT + 0.08) / height))
        self.source.set_text("\n".join(source_lines))
        self.source.set_y(0.06 / height)
        with matplotlib.rc_context(_SVG_RC):
            data = svg.save(self.fig, tight=False, metadata=_SVG_METADATA)
        return Chart(data, self._alt(by_area, gap, title, unit, gap_unit, reference_name, note,
                                                  change_since), layout="narrow")

    @staticmethod
    def _alt(by_area, gap, title, unit, gap_unit, reference_name, note="", change_since=None) -> str:
        parts = []
        if len(gap) and change_since is not None:
            last_year = gap.index.max()
            parts.append(f"förändringen sedan {change_since} var {fmt.number(gap[last_year], 1)} {gap_unit} "
                         f"år {fmt.year(last_year)}")
        elif len(gap):
            first_year, last_year = gap.index.min(), gap.index.max()
            parts.append(f"skillnaden mot {reference_name} var {fmt.number(gap[first_year], 1)} {gap_unit} år"
                         f" {fmt.year(first_year)} och {fmt.number(gap[last_year], 1)} {gap_unit} år {fmt.year(last_year)}")
        for name, s in by_area.items():
            s = s.dropna()
            if not s.empty:
                parts.append(f"{name} {fmt.number(s.iloc[-1], 1)} år {fmt.year(s.index[-1])}")
        text = f"Linjediagram med skillnadspanel: {title} ({unit}); " + "; ".join(parts) + "."
        return f"{text} {note}" if note else text


@lru_cache(maxsize=1)
def trend_gap_figure() -> TrendGapFigure:
    """The goal-indicator figure of :class:`TrendGapFigure`, built once per process: the build's warm
    template builds it (a zero-argument cached loader, :mod:`evalkit.build.warm`) and every report
    forked from it redraws it with its own data, which :meth:`TrendGapFigure.draw` makes safe."""
    return TrendGapFigure()


def trend_gap_chart(series: pd.DataFrame, title: str, unit: str, source: str, gap_unit: str,
                    reference_name: str, start_year: int = PROGRAMME_START, note: str = "") -> Chart:
    """One trend-and-gap chart (see :class:`TrendGapFigure`, which draws many faster)."""
    return TrendGapFigure(start_year).draw(series, title, unit, source, gap_unit, reference_name, note)


def tenure_bars(shares: pd.DataFrame, source: str, note: str = "") -> Chart:
    """100 % stacked bars of the tenure mix, one bar per area × year (drawn narrow, :data:`NARROW_RC`).

    ``shares`` has ``label`` (e.g. "Tensta 2014"), ``hyresrätt``, ``bostadsrätt``, ``äganderätt``
    (percent) and ``mangfald`` (Simpson diversity 0–1). ``note`` (which bars are real data) goes
    under the source and into the alt text. Drawn once per data and code version (:func:`reuse`).
    """
    return reuse(("tenure_bars", shares, source, note), lambda: _tenure_bars(shares, source, note))


def _tenure_bars(shares: pd.DataFrame, source: str, note: str = "") -> Chart:
    kinds = ["hyresrätt", "bostadsrätt", "äganderätt"]
    colours = [PALETTE[0], PALETTE[1], PALETTE[2]]
    # Heights in inches: the bars, then below them the ticks and axis label, the legend and the
    # source, each from the figure's left edge so that none widens the chart.
    height = 0.62 * len(shares) + 2.7
    with matplotlib.rc_context(NARROW_RC):
        fig, ax = plt.subplots(figsize=(NARROW_WIDTH, height))
        fig.subplots_adjust(bottom=2.25 / height, top=1 - 0.4 / height)
        left = pd.Series(0.0, index=shares.index)
        labels = [f"{r.label}\n(mångfald {fmt.number(r.mangfald, 2)})" for r in shares.itertuples()]
        for kind, colour in zip(kinds, colours):
            ax.barh(labels, shares[kind], left=left, color=colour, label=kind.capitalize(), height=0.6)
            for y, (l, w) in enumerate(zip(left, shares[kind])):
                if w >= 12:
                    ax.text(l + w / 2, y, fmt.percent(w, 0), ha="center", va="center", fontsize=10,
                            color="white" if colour != PALETTE[1] else "#1a1a1a")
            left = left + shares[kind]
        ax.set_xlim(0, 100)
        ax.invert_yaxis()
        ax.set_xlabel("Andel av lägenheterna (procent)")
        ax.set_title("Upplåtelseformer", loc="left", y=TITLE_Y)
        ax.spines[["top", "right"]].set_visible(False)
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, frameon=False, loc="upper left", bbox_to_anchor=(0.0, 1.45 / height), ncols=3,
                   handlelength=1.2, columnspacing=0.8, borderaxespad=0)
        fig.text(0.0, 1.05 / height, "\n".join(textwrap.wrap(f"Källa: {source}" + (f" {note}" if note else ""), 50)), fontsize=9.5,
                 color="#333333", ha="left", va="top")
    alt = "Stapeldiagram (100 %): upplåtelseformer. " + "; ".join(
        f"{r.label}: hyresrätt {fmt.percent(r.hyresrätt, 0)}, bostadsrätt {fmt.percent(r.bostadsrätt, 0)},"
        f" äganderätt {fmt.percent(r.äganderätt, 0)}, mångfaldsindex {fmt.number(r.mangfald, 2)}"
        for r in shares.itertuples()) + "."
    return render(fig, f"{alt} {note}" if note else alt, layout="narrow")

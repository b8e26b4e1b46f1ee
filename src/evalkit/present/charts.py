"""Charts for reports: Swedish labels, a source line, a colour-blind-safe palette, alt text.

Each chart is returned as a :class:`Chart` that Jupyter shows as a PNG whose alt text (also the
plain-text representation, which nbval compares) states what the chart shows in numbers.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from evalkit.present import format as fmt  # noqa: E402

# Okabe–Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PROGRAMME_START = 2015


@dataclass
class Chart:
    """A rendered chart: PNG bytes plus the alt text that describes it."""

    png: bytes
    alt: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return self.alt


def source_line(fig, text: str, y: float = -0.02) -> None:
    """The source under a chart, wrapped so a long list of sources doesn't widen the figure."""
    import textwrap

    fig.text(0.01, y, "\n".join(textwrap.wrap(text, 120)), fontsize=7.5, color="#333333", ha="left", va="top")


def _tick(value, _pos=None) -> str:
    """Swedish tick label: decimals only where the tick is not a whole number."""
    return fmt.number(value, 0 if abs(value - round(value)) < 1e-9 else 1)


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def render(fig, alt: str) -> Chart:
    """Render a figure to PNG without volatile metadata and close it (nothing leaks between charts)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return Chart(buffer.getvalue(), alt)


def trend_gap_chart(series: pd.DataFrame, title: str, unit: str, source: str, gap_unit: str,
                    reference_name: str, start_year: int = PROGRAMME_START) -> Chart:
    """Two panels: the indicator for the area and its comparisons, and the area's gap to a reference.

    ``series`` has ``area_name, year, value``; the first area is the report's area and the gap is
    area − ``reference_name`` (normally "Övriga staden") in ``gap_unit`` (procentenheter for shares).
    """
    names = list(dict.fromkeys(series["area_name"]))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.2, 5.2), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]})
    for i, name in enumerate(names):
        s = series[series["area_name"] == name].sort_values("year")
        top.plot(s["year"], s["value"], marker="o" if i == 0 else None, markersize=3,
                 linewidth=2.6 if i == 0 else 1.6, color=PALETTE[i % len(PALETTE)], label=name)
    area = series[series["area_name"] == names[0]].set_index("year")["value"]
    ref = series[series["area_name"] == reference_name].set_index("year")["value"]
    gap = (area - ref).dropna()
    bottom.bar(gap.index, gap.values, color=PALETTE[0], width=0.6)
    bottom.axhline(0, color="#333333", linewidth=0.8)
    for ax in (top, bottom):
        ax.axvline(start_year, color="#555555", linestyle="--", linewidth=1)
        _style(ax)
    top.set_title(title, loc="left", fontsize=11)
    top.set_ylabel(unit)
    bottom.set_ylabel(f"Skillnad\n({gap_unit})", fontsize=8)
    bottom.set_xlabel("År")
    bottom.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    for ax in (top, bottom):
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick))
    top.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    source_line(fig, f"Källa: {source}. Streckad linje: programstart {start_year}.", -0.01)
    parts = []
    if len(gap):
        first_year, last_year = gap.index.min(), gap.index.max()
        parts.append(f"skillnaden mot {reference_name} var {fmt.number(gap[first_year], 1)} {gap_unit} år"
                     f" {fmt.year(first_year)} och {fmt.number(gap[last_year], 1)} {gap_unit} år {fmt.year(last_year)}")
    for name in names:
        s = series[series["area_name"] == name].dropna(subset=["value"]).sort_values("year")
        if not s.empty:
            parts.append(f"{name} {fmt.number(s.iloc[-1]['value'], 1)} år {fmt.year(s.iloc[-1]['year'])}")
    alt = f"Linjediagram med skillnadspanel: {title} ({unit}); " + "; ".join(parts) + "."
    return render(fig, alt)


def tenure_bars(shares: pd.DataFrame, source: str) -> Chart:
    """100 % stacked bars of the tenure mix, one bar per area × year.

    ``shares`` has ``label`` (e.g. "Tensta 2014"), ``hyresrätt``, ``bostadsrätt``, ``äganderätt``
    (percent) and ``mangfald`` (Simpson diversity 0–1).
    """
    kinds = ["hyresrätt", "bostadsrätt", "äganderätt"]
    colours = [PALETTE[0], PALETTE[1], PALETTE[2]]
    fig, ax = plt.subplots(figsize=(7.2, 0.5 * len(shares) + 1.4))
    left = pd.Series(0.0, index=shares.index)
    labels = [f"{r.label} (mångfald {fmt.number(r.mangfald, 2)})" for r in shares.itertuples()]
    for kind, colour in zip(kinds, colours):
        ax.barh(labels, shares[kind], left=left, color=colour, label=kind.capitalize(), height=0.6)
        for y, (l, w) in enumerate(zip(left, shares[kind])):
            if w >= 8:
                ax.text(l + w / 2, y, fmt.percent(w, 0), ha="center", va="center", fontsize=7,
                        color="white" if colour != PALETTE[1] else "#1a1a1a")
        left = left + shares[kind]
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("Andel av lägenheterna (procent)")
    ax.set_title("Upplåtelseformer", loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=8, ncol=3, loc="upper left", bbox_to_anchor=(0, -0.25))
    ax.spines[["top", "right"]].set_visible(False)
    source_line(fig, f"Källa: {source}")
    alt = "Stapeldiagram (100 %): upplåtelseformer. " + "; ".join(
        f"{r.label}: hyresrätt {fmt.percent(r.hyresrätt, 0)}, bostadsrätt {fmt.percent(r.bostadsrätt, 0)},"
        f" äganderätt {fmt.percent(r.äganderätt, 0)}, mångfaldsindex {fmt.number(r.mangfald, 2)}"
        for r in shares.itertuples()) + "."
    return render(fig, alt)

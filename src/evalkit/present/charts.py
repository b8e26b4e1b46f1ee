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


def trend_chart(series: pd.DataFrame, title: str, unit: str, source: str, start_year: int = PROGRAMME_START) -> Chart:
    """Line chart of one indicator for several areas over time.

    ``series`` has columns ``area_name, year, value`` (first area drawn boldest). A vertical line
    marks the programme start. The alt text gives each area's first and last value.
    """
    fig, ax = plt.subplots(figsize=(7.2, 3.8))
    names = list(dict.fromkeys(series["area_name"]))
    for i, name in enumerate(names):
        s = series[series["area_name"] == name].sort_values("year")
        ax.plot(s["year"], s["value"], marker="o" if i == 0 else None, markersize=3,
                linewidth=2.6 if i == 0 else 1.6, color=PALETTE[i % len(PALETTE)], label=name)
    ax.axvline(start_year, color="#555555", linestyle="--", linewidth=1)
    ax.annotate("Programstart", (start_year, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                textcoords="offset points", fontsize=8, color="#333333")
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(unit)
    ax.set_xlabel("År")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt.number(v, 0 if abs(v) >= 10 else 1)))
    _style(ax)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.text(0.01, -0.02, f"Källa: {source}", fontsize=7.5, color="#333333", ha="left", va="top")
    parts = []
    for name in names:
        s = series[series["area_name"] == name].dropna(subset=["value"]).sort_values("year")
        if not s.empty:
            first, last = s.iloc[0], s.iloc[-1]
            parts.append(f"{name} {fmt.number(first['value'], 1)} år {fmt.year(first['year'])}"
                         f" och {fmt.number(last['value'], 1)} år {fmt.year(last['year'])}")
    alt = f"Linjediagram: {title} ({unit}). " + "; ".join(parts) + "."
    return render(fig, alt)

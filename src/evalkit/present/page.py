"""Page furniture shown in every report: title, demo-data banner, legend of symbols."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from evalkit.present.format import SYMBOLS_SV

_ENV = jinja2.Environment(autoescape=True)


@dataclass
class Html:
    """An HTML fragment with a plain-text twin (what nbval and screen-reader-less exports see)."""

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def demo_banner(synthetic: bool) -> Html:
    """A visible warning when the figures come from synthetic demo data (else nothing)."""
    if not synthetic:
        return Html("", "")
    text = ("OBS! Siffrorna i denna rapport är syntetiska demodata, framtagna av evalkit med ett "
            "seedat skript. De beskriver inte verkligheten. Endast folkmängd 2014–2016 och "
            "geografin är verkliga uppgifter.")
    return Html(_ENV.from_string('<div class="ek-banner" role="alert"><strong>{{ t }}</strong></div>').render(t=text), text)


def heading(text: str, level: int = 2) -> Html:
    """An escaped heading (text may come from data)."""
    html = _ENV.from_string("<h{{ l }}>{{ t }}</h{{ l }}>").render(t=text, l=level)
    return Html(html, text)


def paragraph(text: str) -> Html:
    """An escaped paragraph of text."""
    return Html(_ENV.from_string("<p>{{ t }}</p>").render(t=text), text)


def symbol_legend() -> Html:
    """Teckenförklaring for the symbols used in tables."""
    items = "".join(f"<li><code>{k}</code> {v}</li>" for k, v in SYMBOLS_SV.items())
    text = "Teckenförklaring: " + "; ".join(f"{k} {v}" for k, v in SYMBOLS_SV.items())
    return Html(f'<section class="ek-legend"><h3>Teckenförklaring</h3><ul>{items}</ul></section>', text)


def show(items) -> None:
    """Display each item of a report section in order (a notebook cell is then one call)."""
    from IPython.display import display

    for item in items:
        display(item)

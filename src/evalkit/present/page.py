"""Page furniture shown in every report: title, demo-data banner, legend of symbols."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from evalkit.present.format import SYMBOLS_SV

_ENV = jinja2.Environment(autoescape=True)
# Compiled once: compiling a template costs about a millisecond, and a page has dozens of headings.
_BANNER = _ENV.from_string('<div class="ek-banner" role="alert"><strong>{{ t }}</strong></div>')
_HEADING = _ENV.from_string("<h{{ l }}>{{ t }}</h{{ l }}>")
_PARAGRAPH = _ENV.from_string("<p>{{ t }}</p>")


@dataclass
class Html:
    """An HTML fragment with a plain-text twin (what nbval and screen-reader-less exports see)."""

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def demo_banner(synthetic) -> Html:
    """A visible warning when the figures come from synthetic demo data (else nothing).

    ``synthetic``: the tidy table the page shows (the banner then names, from its ``origin``
    column, the series that are real: indicator and years), or a plain flag (no list).
    """
    real = ""
    if not isinstance(synthetic, bool):
        from evalkit import origin

        frame = synthetic
        synthetic = bool((origin.column(frame) == origin.DEMO).any())
        real = real_series_sv(frame)
    if not synthetic:
        return Html("", "")
    real_part = (f"Verkliga uppgifter är bara {real} samt geografin." if real
                 else "Bara geografin är verkliga uppgifter.")
    text = ("OBS! Siffrorna i denna rapport är till största delen syntetiska demodata, framtagna av evalkit "
            f"med ett seedat skript. De beskriver inte verkligheten. {real_part}")
    return Html(_BANNER.render(t=text), text)


def years_sv(years) -> str:
    """Years as runs: ``[2014, 2015, 2016, 2020]`` -> ``"2014–2016 och 2020"``."""
    from evalkit.origin import year_spans

    runs = [f"{a}–{b}" if b > a else str(a) for a, b in year_spans(years)]
    return " och ".join([", ".join(runs[:-1]), runs[-1]]) if len(runs) > 1 else (runs[0] if runs else "")


def _lower_first(label: str) -> str:
    """A label inside a sentence: "Folkmängd enligt SCB" -> "folkmängd enligt SCB" (acronyms kept)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def real_series_sv(frame) -> str:
    """The real series of a tidy table in words, from its ``origin`` column: "folkmängd 2014–2016,
    andel utrikes födda 2020 …" (catalogue labels, lower case); empty when nothing is real."""
    from evalkit import programme
    from evalkit import origin

    labels = programme.indicator_catalogue().set_index("indicator")["label_sv"]
    parts = [f"{_lower_first(str(labels.get(ind, ind)))} {years_sv(years)}"
             for ind, years in origin.real_years(frame).items()]
    return ", ".join(parts[:-1]) + " och " + parts[-1] if len(parts) > 1 else "".join(parts)


#: Words for :data:`evalkit.origin.MIXED_ORIGIN`: a comparison of a demo year with a real one.
MIXED_ORIGIN_SV = "kan ej bedömas – jämför demodata med verkliga uppgifter"
ORIGIN_SV = {"real": "verkliga uppgifter", "demo": "demodata"}


def origin_note_sv(rows, label) -> str:
    """Which of a chart's values are real, in one sentence (empty when all or none are): ``rows``
    are the tidy rows it draws, ``label`` turns an area code into its name."""
    from evalkit import origin

    shown = rows[rows["value"].notna()]
    is_real = origin.column(shown) == origin.REAL
    if not len(shown) or is_real.all() or not is_real.any():
        return ""
    real = shown[is_real]
    parts = [f"{label(code)} {years_sv(g['year'])}" for code, g in real.groupby("area_code", sort=False)]
    return f"Verkliga uppgifter: {'; '.join(parts)}; övriga värden är demodata."


def heading(text: str, level: int = 2) -> Html:
    """An escaped heading (text may come from data)."""
    html = _HEADING.render(t=text, l=level)
    return Html(html, text)


def paragraph(text: str) -> Html:
    """An escaped paragraph of text."""
    return Html(_PARAGRAPH.render(t=text), text)


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

"""HTML tables for reports: escaped text, header cells, Swedish numbers, deterministic output.

We render tables ourselves (jinja2 with autoescape) instead of pandas Styler: Styler puts a
random id into its CSS (so nbval and byte-for-byte builds would differ) and its gradients fail
colour-contrast checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import jinja2
import pandas as pd
from markupsafe import Markup

from evalkit.geography import slugify

# A cell starting like a formula would run in Excel; plain numbers, signed or not ("-4,5", "+3,1",
# "−0,2 %"), are left alone: a quote would make a number text (issue 25 found "'+3,1").
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^[+\-\u2212±]?\d[\d\u00a0\u202f ,.]*(?:[\u00a0\u202f ]?%)?$")


def neutralise_cell(text: str) -> str:
    """Prefix a cell that Excel would read as a formula (``=``, ``+``, ``-``, ``@``) with ``'``."""
    if _FORMULA_START.match(text) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def to_csv(frame: pd.DataFrame) -> str:
    """CSV for download as Swedish Excel opens it: ``;``-separated, UTF-8 with BOM, formulas neutralised."""
    safe = frame.astype(str).map(neutralise_cell)
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    return "\ufeff" + safe.to_csv(sep=";", index=False, lineterminator="\r\n")

_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_TABLE = _ENV.from_string(
    """<div class="ek-table-wrap" role="region" tabindex="0"{% if caption %} aria-label="{{ caption }}"{% endif %}>
<table class="ek-table{% if layout %} ek-{{ layout }}{% endif %}">
{% if caption %}<caption>{{ caption }}</caption>
{% endif %}<thead><tr>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>{% for cell in row %}{% if loop.first %}<th scope="row"{{ label(loop.index0) }}>{{ show(cell) }}</th>{% else %}<td{% if numeric[loop.index0] %} class="num"{% endif %}{{ label(loop.index0) }}>{{ show(cell) }}</td>{% endif %}{% endfor %}</tr>
{% endfor %}</tbody>
</table>
</div>
{% if note %}<p class="ek-table-note">{{ note }}</p>
{% endif %}{% if download %}<p class="ek-download"><a href="{{ download }}" download="{{ filename }}">Ladda ner tabellen som CSV{% if caption %} ({{ caption }}){% endif %}</a></p>
{% endif %}"""
)
_DETAILED = _ENV.from_string('{{ c.main }} <span class="ek-detail">{{ c.detail }}</span>')
_LABEL = _ENV.from_string(' data-label="{{ c }}"')


@dataclass(frozen=True)
class Detailed:
    """A cell with a main text and a longer detail shown beneath it in smaller type
    (a goal's number and heading, then the goal as the programme words it).

    ``str()`` joins both, so CSV downloads and the plain-text twin keep the detail.
    """

    main: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.main}: {self.detail}" if self.detail else self.main


def _show(cell):
    """A cell as escaped HTML: a :class:`Detailed` cell in two parts, anything else as text."""
    if isinstance(cell, Detailed) and cell.detail:
        return Markup(_DETAILED.render(c=cell))
    return str(cell)


@dataclass
class HtmlTable:
    """A rendered table that shows as HTML in Jupyter and as aligned text in plain outputs.

    nbval compares both representations, so a moved number fails a test. ``layout`` names a
    narrow-screen layout in the stylesheet (class ``ek-<layout>``; ``goals``: each row becomes a
    small card whose cells carry their column name, so a phone needs no sideways scrolling).
    """

    frame: pd.DataFrame
    caption: str = ""
    numeric_columns: tuple[str, ...] = ()
    downloadable: bool = True
    layout: str = ""
    #: A footnote under the table (what a symbol in it means, why a value is missing).
    note: str = ""

    def _repr_html_(self) -> str:
        columns = [str(c) for c in self.frame.columns]
        numeric = [c in self.numeric_columns for c in self.frame.columns]
        rows = self.frame.map(lambda c: c if isinstance(c, Detailed) else str(c)).values.tolist()
        download = ("data:text/csv;charset=utf-8," + quote(to_csv(self.frame))) if self.downloadable else ""
        filename = f"{slugify(self.caption) or 'tabell'}.csv"
        # Column names on the cells only where a layout shows them (no bytes spent elsewhere).
        label = (lambda i: Markup(_LABEL.render(c=columns[i]))) if self.layout else (lambda i: "")
        return _TABLE.render(caption=self.caption, columns=columns, rows=rows, numeric=numeric,
                             download=download, filename=filename, layout=self.layout, show=_show, label=label,
                             note=self.note)

    def __repr__(self) -> str:
        head = f"{self.caption}\n" if self.caption else ""
        foot = f"\n{self.note}" if self.note else ""
        return head + self.frame.astype(str).to_string(index=False) + foot


#: Symbols explained under a table where they appear (a cell that is the symbol or starts with it
#: and a space, e.g. "x (2020)").
FOOTNOTE_SYMBOLS = ("..", ".", "x")


def symbols_in(frame: pd.DataFrame) -> list[str]:
    """The symbols of :data:`FOOTNOTE_SYMBOLS` that stand for a value somewhere in ``frame``."""
    cells = [str(c) for c in frame.to_numpy().ravel()]
    return [sym for sym in FOOTNOTE_SYMBOLS if any(c == sym or c.startswith(sym + " ") for c in cells)]


def symbol_note(frame: pd.DataFrame, reasons: str = "") -> str:
    """The footnote for the symbols in ``frame`` ("Teckenförklaring: .. uppgift inte tillgänglig …"),
    followed by ``reasons`` (why values are missing here); empty when no symbol appears."""
    from evalkit.present.format import SYMBOLS_SV

    found = symbols_in(frame)
    if not found:
        return reasons
    text = "; ".join(f"{sym} = {SYMBOLS_SV[sym]}" for sym in found) + "."
    return f"{text} {reasons}".strip()


def table(frame: pd.DataFrame, caption: str = "", numeric_columns=(), layout: str = "cards",
          note: str | None = None) -> HtmlTable:
    """Wrap a frame of already formatted strings (or :class:`Detailed` cells) as a report table
    (first column = row headers). ``note`` is printed under it; by default it explains the
    symbols (``..``, ``.``, ``x``) that appear in the table, where they appear. ``layout``: on a
    phone each row becomes a card (``cards``, the default: no table needs sideways scrolling at
    390 px) or the goal tables' card (``goals``)."""
    frame = frame.reset_index(drop=True)
    return HtmlTable(frame, caption, tuple(numeric_columns), layout=layout,
                     note=symbol_note(frame) if note is None else note)

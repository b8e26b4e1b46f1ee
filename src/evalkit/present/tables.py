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

from evalkit.geography import slugify

# A cell starting like a formula would run in Excel; plain numbers ("-4,5") are left alone.
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^-?\d[\d\s\u00a0,.]*%?$")


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
<table class="ek-table">
{% if caption %}<caption>{{ caption }}</caption>
{% endif %}<thead><tr>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>{% for cell in row %}{% if loop.first %}<th scope="row">{{ cell }}</th>{% else %}<td{% if numeric[loop.index0] %} class="num"{% endif %}>{{ cell }}</td>{% endif %}{% endfor %}</tr>
{% endfor %}</tbody>
</table>
</div>
{% if download %}<p class="ek-download"><a href="{{ download }}" download="{{ filename }}">Ladda ner tabellen som CSV{% if caption %} ({{ caption }}){% endif %}</a></p>
{% endif %}"""
)


@dataclass
class HtmlTable:
    """A rendered table that shows as HTML in Jupyter and as aligned text in plain outputs.

    nbval compares both representations, so a moved number fails a test.
    """

    frame: pd.DataFrame
    caption: str = ""
    numeric_columns: tuple[str, ...] = ()
    downloadable: bool = True

    def _repr_html_(self) -> str:
        numeric = [c in self.numeric_columns for c in self.frame.columns]
        rows = self.frame.astype(str).values.tolist()
        download = ("data:text/csv;charset=utf-8," + quote(to_csv(self.frame))) if self.downloadable else ""
        filename = f"{slugify(self.caption) or 'tabell'}.csv"
        return _TABLE.render(caption=self.caption, columns=list(self.frame.columns), rows=rows, numeric=numeric,
                             download=download, filename=filename)

    def __repr__(self) -> str:
        head = f"{self.caption}\n" if self.caption else ""
        return head + self.frame.to_string(index=False)


def table(frame: pd.DataFrame, caption: str = "", numeric_columns=()) -> HtmlTable:
    """Wrap a frame of already formatted strings as a report table (first column = row headers)."""
    return HtmlTable(frame.reset_index(drop=True), caption, tuple(numeric_columns))

"""HTML tables for reports: escaped text, header cells, Swedish numbers, deterministic output.

We render tables ourselves (jinja2 with autoescape) instead of pandas Styler: Styler puts a
random id into its CSS (so nbval and byte-for-byte builds would differ) and its gradients fail
colour-contrast checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
import pandas as pd

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
</div>"""
)


@dataclass
class HtmlTable:
    """A rendered table that shows as HTML in Jupyter and as aligned text in plain outputs.

    nbval compares both representations, so a moved number fails a test.
    """

    frame: pd.DataFrame
    caption: str = ""
    numeric_columns: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        numeric = [c in self.numeric_columns for c in self.frame.columns]
        rows = self.frame.astype(str).values.tolist()
        return _TABLE.render(caption=self.caption, columns=list(self.frame.columns), rows=rows, numeric=numeric)

    def __repr__(self) -> str:
        head = f"{self.caption}\n" if self.caption else ""
        return head + self.frame.to_string(index=False)


def table(frame: pd.DataFrame, caption: str = "", numeric_columns=()) -> HtmlTable:
    """Wrap a frame of already formatted strings as a report table (first column = row headers)."""
    return HtmlTable(frame.reset_index(drop=True), caption, tuple(numeric_columns))

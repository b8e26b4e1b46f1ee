"""What changed since the last publication, in Swedish: the terminal summary of `evalkit diff`,
the changes page and the box on district pages (templates ``changes.html.j2`` and
``changes_box.html.j2`` in ``present/templates/``). The numbers come from
:mod:`evalkit.analysis.changes`; :mod:`evalkit.build.changes_page` places the files."""

from __future__ import annotations

import pandas as pd

from evalkit.present import format as fmt
from evalkit.present.goals import status_sv
from evalkit.present.labels import area_label
from evalkit.present.site import render

KIND_SV = {"changed": "ändrad", "hidden": "döljs nu", "shown": "visas nu", "added": "ny", "removed": "borttagen"}
FIELD_SV = {"value": "värde", "numerator": "täljare", "denominator": "nämnare"}
#: Lines per list in the terminal summary (the page and --json have all of them).
TERMINAL_ROWS = 10


def _status(code: str) -> str:
    return status_sv(code) if code else "saknas"


def _number(value, status: str = "") -> str:
    """A published number as the reports write it; a hidden one as ``x``, never its value."""
    if status == "x" and pd.isna(value):
        return "x"
    if pd.isna(value):
        return "–"
    return fmt.number(value, 0 if float(value).is_integer() else 2)


def _labels(catalogue: pd.DataFrame) -> dict[str, str]:
    return dict(zip(catalogue["indicator"], catalogue["label_sv"]))


def value_table(values: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Changed published numbers as a Swedish table (område, indikator, år, uppgift, före, nu, ändring)."""
    labels = _labels(catalogue)
    return pd.DataFrame({
        "Område": [area_label(c) for c in values["area_code"]],
        "Indikator": [labels.get(i, i) for i in values["indicator"]],
        "År": [fmt.year(y) for y in values["year"]],
        "Uppgift": [FIELD_SV[f] for f in values["field"]],
        "Före": [_number(v, s) for v, s in zip(values["old"], values["old_status"])],
        "Nu": [_number(v, s) for v, s in zip(values["new"], values["new_status"])],
        "Ändring": [KIND_SV[k] for k in values["kind"]],
    })


def status_table(statuses: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Goal statuses that changed (område, mål, indikator, före, nu)."""
    labels = _labels(catalogue)
    return pd.DataFrame({
        "Område": [area_label(c) for c in statuses["area_code"]],
        "Mål": statuses["goal_number"].tolist(),
        "Indikator": [labels.get(i, i) for i in statuses["indicator"]],
        "Före": [_status(s) for s in statuses["old"]],
        "Nu": [_status(s) for s in statuses["new"]],
    })


def largest_moves(values: pd.DataFrame, per_area: int = 3) -> pd.DataFrame:
    """The largest relative moves of shown values per area (the page's second list)."""
    v = values[(values["kind"] == "changed") & (values["field"] == "value")].copy()
    if v.empty:
        return v
    v["relative"] = ((v["new"] - v["old"]).abs() / v["old"].abs().where(v["old"] != 0)).fillna(float("inf"))
    return (v.sort_values(["area_code", "relative"], ascending=[True, False])
            .groupby("area_code", sort=True).head(per_area).drop(columns="relative"))


def summary_sv(diff: dict, catalogue: pd.DataFrame, old_name: str, new_name: str) -> str:
    """The terminal summary of `evalkit diff`: counts first, then the first lines of each list."""
    values, statuses = diff["changes"], diff["status_changes"]
    effects, ranks, inputs = diff["effects"], diff["ranks"], diff["inputs"]
    lines = [f"Förändringar från {old_name} till {new_name}"]
    if all(t.empty for t in (values, statuses, effects, ranks, inputs)):
        return lines[0] + "\nInga förändringar: samma publicerade uppgifter, målstatus, skattningar, rangordning och indata."
    counts = values["kind"].value_counts()
    parts = [f"{int(counts.get(k, 0))} {word}" for k, word in
             (("changed", "ändrade"), ("hidden", "döljs nu"), ("shown", "visas nu"), ("added", "nya"),
              ("removed", "borttagna"))]
    lines.append(f"Publicerade uppgifter: {', '.join(parts)} (i {values['area_code'].nunique()} områden)")
    lines.append(f"Måluppfyllelse: {len(statuses)} ändrade")
    for r in statuses.head(TERMINAL_ROWS).itertuples():
        lines.append(f"  {area_label(r.area_code)}, mål {r.goal_number}: {_status(r.old)} → {_status(r.new)}")
    lines.append(f"Effektskattningar som flyttat mer än ett medelfel: {len(effects)}")
    for r in effects.head(TERMINAL_ROWS).itertuples():
        lines.append(f"  {r.indicator} ({r.cohort}, {r.specification}): {_number(r.old)} → {_number(r.new)}")
    lines.append(f"Rangordning (index för sociala risker): {len(ranks)} ändrade")
    lines.append(f"Indata: {len(inputs)} filer ändrade" + (f": {', '.join(inputs['path'].head(TERMINAL_ROWS))}"
                                                        if len(inputs) else ""))
    if len(values):
        lines.append("Första ändrade uppgifterna:")
        table = value_table(values.head(TERMINAL_ROWS), catalogue)
        for r in table.itertuples(index=False):
            lines.append(f"  {r.Område}, {r.Indikator} {r.År} ({r.Uppgift}): {r.Före} → {r.Nu} ({r.Ändring})")
    return "\n".join(lines)


def effect_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Effect estimates that moved (indikator, kohort, specifikation, före, nu, förflyttning i medelfel)."""
    return pd.DataFrame({
        "Indikator": effects["indicator"].tolist(),
        "Kohort": effects["cohort"].tolist(),
        "Specifikation": effects["specification"].tolist(),
        "Före": [_number(v) for v in effects["old"]],
        "Nu": [_number(v) for v in effects["new"]],
        "Förflyttning (medelfel)": [fmt.change(v, 1) for v in effects["shift_in_se"]],
    })


def as_html(frame: pd.DataFrame, caption: str) -> str:
    """A table as the reports show it ("" when empty, so the page says so in words instead)."""
    from evalkit.present import tables

    return "" if frame.empty else tables.table(frame, caption)._repr_html_()


def page_intro_sv(diff: dict) -> str:
    """The sentence at the top of the changes page, counted from the diff."""
    values = diff["changes"]
    if all(t.empty for t in diff.values()):
        return "Inget har ändrats sedan förra publiceringen: samma publicerade uppgifter, målstatus och indata."
    counts = values["kind"].value_counts()
    shown = {k: int(counts.get(k, 0)) for k in KIND_SV}
    areas = values.loc[values['kind'] == 'changed', 'area_code'].nunique()
    return (f"Sedan förra publiceringen har {fmt.count(shown['changed'], 'publicerad uppgift', 'publicerade uppgifter')} "
            f"ändrats i {fmt.count(areas, 'område', 'områden')}; {shown['hidden']} döljs nu och "
            f"{shown['shown']} visas nu (dolda uppgifter jämförs bara som dolda). {len(diff['status_changes'])} "
            f"målstatus har ändrats och {fmt.count(len(diff['inputs']), 'indatafil', 'indatafiler')} har ändrats.")


def page_html(diff: dict, catalogue: pd.DataFrame, css: str) -> str:
    """The changes page: status changes first, then the largest moves per area, then effects and inputs."""
    statuses = _in_swedish_order(status_table(diff["status_changes"], catalogue))
    moves = _in_swedish_order(value_table(largest_moves(diff["changes"]), catalogue))
    return render(
        "changes.html.j2", css=css, intro=page_intro_sv(diff),
        statuses=as_html(statuses, "Målstatus före och nu"),
        moves=as_html(moves, "Största förändringar av publicerade värden, högst tre per område"),
        effects=as_html(effect_table(diff["effects"]), "Effektskattningar före och nu"),
        inputs=diff["inputs"]["path"].tolist())


def _in_swedish_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by area name in Swedish order (Å, Ä, Ö after Z; ICU), each area's rows kept in their
    order (a stable sort): the area codes the diff is sorted by spell å as a and ö as o."""
    if frame.empty:
        return frame
    keys = frame["Område"].map(fmt.sort_key_sv)
    order = sorted(range(len(frame)), key=lambda i: keys.iloc[i])
    return frame.iloc[order].reset_index(drop=True)


def area_boxes(diff: dict, catalogue: pd.DataFrame, changes_href: str) -> dict[str, str]:
    """area code -> the "Ändrat sedan förra publiceringen" box (HTML) for areas where something
    the page shows about the area itself changed: its published numbers or its goal statuses.
    ``changes_href``: the changes page the box links to."""
    labels = _labels(catalogue)
    values, statuses = diff["changes"], diff["status_changes"]
    out = {}
    for code in sorted(set(values["area_code"]) | set(statuses["area_code"])):
        parts = []
        v = values[values["area_code"] == code]
        if len(v):
            names = sorted({labels.get(i, i) for i in v["indicator"]}, key=fmt.sort_key_sv)
            parts.append(f"{fmt.count(len(v), 'publicerad uppgift', 'publicerade uppgifter')} "
                         f"({', '.join(names[:3])}{' m.fl.' if len(names) > 3 else ''})")
        for r in statuses[statuses["area_code"] == code].itertuples():
            parts.append(f"mål {r.goal_number}: {_status(r.old)} → {_status(r.new)}")
        out[code] = render("changes_box.html.j2", text="; ".join(parts), changes_href=changes_href)
    return out

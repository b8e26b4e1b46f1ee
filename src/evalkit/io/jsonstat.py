"""JSON-stat 2.0 datasets (and the 1.x ``{"dataset": …}`` bundle SCB's API returns), own small parser.

Why not pyjstat: it drops the ``status`` member, and the status is where the statistics symbols
live (``".."``, ``"-"``, ``"x"``). The format is small: ``id``/``size`` give the dimensions in
row-major order, each dimension's ``category.index`` the position of every category, ``value`` is
an array or a sparse ``{"position": value}`` object, ``status`` a string (all cells), an array or a
sparse object. A cell with a status symbol and a null value gets that ``status``; a null value with
no status is set aside (never 0). The record's row number is the cell's position in ``value`` + 1;
its column names the year.

Area and time dimensions: ``role.geo`` / ``role.time`` or by name (region/område …, år/tid …);
options ``area_dimension`` / ``time_dimension`` override. Other dimensions: ``dimension_map`` /
``select``, or a single category. Areas are resolved from the category *labels* (codes when
``area_labels=False``).

Area level (unless ``level`` is given): the area dimension's label or id ("Stadsdelsområde",
"SDN", "stadsdel"), else the dataset's ``label`` (only for names that fit both levels), else its
category codes when they exist at one level only ("SDN01", ``sdo-farsta``); see
:func:`evalkit.io.core.file_level`. The notes say which.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography
from evalkit.io.core import (CELL_UNITS, STATUS_WORDS, MissingIndicatorError, ReaderError, ReadResult, decode_bytes,
                             file_level, records_to_result, stated_unit)
from evalkit.io.raw import RawTable, cube, fold
from evalkit.io.table import (apply_dimensions, canonical_header, normalise_dimension_options, time_years,
                             total_selection)

TIME_NAMES = {"år", "ar", "year", "tid", "time", "period"}
JSONSTAT_STATUS = {**STATUS_WORDS, "...": "..", "....": "..", "s": "x", "c": "x", "confidential": "x",
                   "suppressed": "x"}


def _categories(dim: dict) -> tuple[list[str], list[str]]:
    """Category codes in index order and their labels."""
    cat = dim.get("category", {})
    index = cat.get("index")
    labels = cat.get("label", {})
    if index is None:
        codes = list(labels)
    elif isinstance(index, list):
        codes = list(index)
    else:
        codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    return codes, [str(labels.get(c, c)) for c in codes]


def _cells(member, size: int, name: str, what: str) -> list:
    if member is None:
        return [None] * size
    if isinstance(member, str):
        return [member] * size
    if isinstance(member, list):
        if len(member) != size:
            raise ReaderError(f"{name}: {what} har {len(member)} celler men dimensionerna ger {size}")
        return member
    if isinstance(member, dict):
        out = [None] * size
        for k, v in member.items():
            position = str(k).strip()
            if not position.isdigit() or int(position) >= size:
                raise ReaderError(f"{name}: {what} har positionen {k!r}, men dimensionerna ger positionerna 0–{size - 1}")
            out[int(position)] = v
        return out
    raise ReaderError(f"{name}: {what} har okänd form")


def load_dataset(path: Path, encoding: str | None = None) -> tuple[dict, str, list, list]:
    """The dataset of a JSON-stat file (2.0, or the first of a 1.x bundle), the encoding used and
    its dimension ids and sizes; ReaderError (one line naming the file) when it is not one."""
    source = path.name
    text, used = decode_bytes(path.read_bytes(), source, encoding)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReaderError(f"{source}: ogiltig JSON ({exc.msg}, rad {exc.lineno})") from None
    if isinstance(doc, dict) and doc.get("class") != "dataset" and "dataset" in doc:
        doc = doc["dataset"]  # JSON-stat 1.x bundle
    if not isinstance(doc, dict) or "dimension" not in doc or "value" not in doc:
        raise ReaderError(f"{source}: inte ett JSON-stat-dataset (saknar dimension/value)")
    dims = doc["dimension"]
    ids = doc.get("id") or dims.get("id")
    sizes = doc.get("size") or dims.get("size")
    if not ids or not sizes or len(ids) != len(sizes):
        raise ReaderError(f"{source}: id/size saknas eller stämmer inte")
    return doc, used, ids, sizes


def dataset_unit(doc: dict, ids: list, cats: dict) -> tuple[str, str] | None:
    """The catalogue unit the dataset states: ``category.unit`` of its metric dimension (JSON-stat
    2.0: ``{"EB": {"label": "procent", "decimals": 1}}``) or a top-level ``unit``/``extension.unit``;
    None when it states none or several."""
    texts = []
    for d in ids:
        unit = (doc["dimension"][d].get("category") or {}).get("unit") or {}
        if isinstance(unit, dict):
            texts += [str(u.get("label") or u.get("symbol") or "") if isinstance(u, dict) else str(u)
                      for u in unit.values()]
    for extra in (doc.get("unit"), (doc.get("extension") or {}).get("unit")):
        if extra:
            texts.append(str(extra.get("label", "")) if isinstance(extra, dict) else str(extra))
    texts = [CELL_UNITS.get(t.strip().casefold(), t) for t in texts if t.strip()]
    return stated_unit(texts) if texts else None


def read(path: Path, indicator: str | None = None, encoding: str | None = None, area_dimension: str | None = None,
         time_dimension: str | None = None, dimension_map: dict | None = None, select: dict | None = None,
         source_label: str | None = None, area_labels: bool = True, **options) -> ReadResult:
    """Read a JSON-stat dataset into tidy rows and quarantine (see module docstring)."""
    source = path.name
    doc, used, ids, sizes = load_dataset(path, encoding)
    dims = doc["dimension"]
    role = doc.get("role") or dims.get("role") or {}
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in sizes):
        raise ReaderError(f"{source}: size ska vara icke-negativa heltal, inte {sizes!r}")
    cats = {d: _categories(dims[d]) for d in ids}
    for d, n in zip(ids, sizes):
        if len(cats[d][0]) != n:
            raise ReaderError(f"{source}: dimensionen {d!r} har {len(cats[d][0])} kategorier men size säger {n}")
    labels = {d: str(dims[d].get("label", d)) for d in ids}

    def pick(wanted, role_key, test):
        if wanted:
            for d in ids:
                if wanted.casefold() in (d.casefold(), labels[d].casefold()):
                    return d
            raise ReaderError(f"{source}: dimensionen {wanted!r} finns inte ({', '.join(ids)})")
        for d in role.get(role_key, []) or []:
            return d
        return next((d for d in ids if test(d) or test(labels[d])), None)

    area_dim = pick(area_dimension, "geo", lambda n: canonical_header(n) in ("area", "area_code"))
    time_dim = pick(time_dimension, "time", lambda n: n.strip().casefold() in TIME_NAMES)
    if area_dim is None or time_dim is None:
        raise ReaderError(f"{source}: hittar inte område- och tidsdimension bland {', '.join(ids)} "
                          "(ange area_dimension=/time_dimension=)")
    total = int(np.prod(sizes))
    values = _cells(doc["value"], total, source, "value")
    status = _cells(doc.get("status"), total, source, "status")
    combos = list(itertools.product(*[range(n) for n in sizes]))
    frame = {d: [] for d in ids}
    for combo in combos:
        for d, k in zip(ids, combo):
            codes, labs = cats[d]
            frame[d].append(labs[k] if (area_labels or d != area_dim) else codes[k])
    dimcells = pd.DataFrame(frame, dtype=str)
    time_codes = [cats[time_dim][0][c[ids.index(time_dim)]] for c in combos]
    raw_status = pd.Series([("" if s is None else str(s)) for s in status], dtype="str")
    symbol = raw_status.map(JSONSTAT_STATUS)
    # true/false are not numbers (pandas would make them 1/0): keep them as text so they are set aside
    value_cells = pd.Series([np.nan if v is None else (str(v).lower() if isinstance(v, bool) else v)
                             for v in values], dtype="object")
    numeric = pd.to_numeric(value_cells, errors="coerce")
    text_value = value_cells.where(numeric.isna() & value_cells.notna(), None)
    base = pd.DataFrame({
        "row_number": np.arange(1, total + 1, dtype="int64"),
        "column": "value[" + pd.Series(np.arange(total)).astype(str) + "] " + dimcells[time_dim],
        "area": dimcells[area_dim],
        "indicator": indicator or "",
        "year": time_years(pd.Series(time_codes, dtype="str")),
        "value": numeric.astype("float64").map(lambda v: "" if np.isnan(v) else repr(float(v))).astype(str)
                 .where(text_value.isna(), text_value.astype(str)),
        "status": symbol.fillna("").astype(str),
        "source": source_label or str(doc.get("source", "") or ""),
        "reason": "",
        "reason_column": "",
    })
    unknown_status = symbol.isna() & (raw_status != "")
    base.loc[unknown_status, "reason"] = "okänd statussymbol (" + raw_status[unknown_status] + ")"
    base.loc[unknown_status, "reason_column"] = "status"
    # a status "0" (less than half the unit) or an ordinary flag next to a value: the value stays,
    # except that a symbol meaning "no value" makes the value go away
    has_value = base["value"] != ""
    no_value_symbol = base["status"].isin(["..", "–", ".", "x"])
    both = has_value & no_value_symbol & (base["reason"] == "")
    base.loc[both, "reason"] = "både värde och statussymbol (" + base.loc[both, "status"] + ")"
    base.loc[both, "reason_column"] = "status"
    base.loc[has_value & (base["status"] == "0"), "status"] = ""
    empty = ~has_value & (base["status"] == "") & (base["reason"] == "")
    base.loc[empty, "reason"] = "värde saknas (null) utan statussymbol"
    base.loc[empty, "reason_column"] = "value"
    dim_map, sel = normalise_dimension_options(dimension_map, select)
    others = [d for d in ids if d not in (area_dim, time_dim)]
    given = set(dim_map) | set(sel)
    chosen, total_notes = total_selection(
        source, {d: cats[d][1] for d in others if d.casefold() not in given and labels[d].casefold() not in given},
        set(), "dimensionen")
    sel.update({d.casefold(): {m.casefold() for m in members} for d, members in chosen.items()})
    handled = {}
    for d in others:
        key = next((k for k in (d.casefold(), labels[d].casefold()) if k in dim_map or k in sel), None)
        name_for = d if key == d.casefold() else labels[d]
        if key is None:
            continue
        mapping = dim_map.get(key, {}) | {v: v for v in sel.get(key, set())}
        codes, labs = cats[d]
        by_code = any(str(c).strip().casefold() in mapping for c in codes)
        positions = [c[ids.index(d)] for c in combos]
        handled[name_for] = pd.Series(
            [(codes if by_code else labs)[k] for k in positions], dtype="str")
    apply_dimensions(base, handled, dim_map, sel)
    if not indicator and not dim_map:
        raise MissingIndicatorError(source, "JSON-stat-datasetet")
    heading = next((h for h in (labels[area_dim], area_dim) if geography.level_named(h)), labels[area_dim])
    found = file_level(options.pop("level", None), heading=heading, what="områdesdimensionens namn",
                       titles=[str(doc.get("label") or "")], codes=cats[area_dim][0])
    notes = [f"JSON-stat, teckenkodning {used}, {total} celler ({' × '.join(ids)})", found.note, *total_notes]
    units = dataset_unit(doc, ids, cats) if not options.get("value_unit") else None
    if units is not None:
        notes.append(f"enhet {units[0]}: från datasetets enhetsuppgift {units[1]!r} (prövas mot katalogens enhet)")
        options["unit_stated"] = units
    if doc.get("label"):
        notes.append(f"label: {doc['label']}")
    if doc.get("note"):
        notes.append("note: " + " ".join(map(str, doc["note"] if isinstance(doc["note"], list) else [doc["note"]])))
    return records_to_result(base, source, rows_read=total, notes=notes, **found.options(),
                             headings={"area": labels[area_dim], "year": labels[time_dim]}, **options)


def looks_like(head: bytes) -> bool:
    """A JSON document (the reader says so when it is no JSON-stat dataset)."""
    return head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{")


def read_raw(path: Path, wanted: list[str] = (), encoding: str | None = None, **_options) -> RawTable:
    """The dataset as a raw table, one column per dimension (``evalkit effects``); a dimension is
    found by its id or its label."""
    source = path.name
    doc, used, ids, sizes = load_dataset(path, encoding)
    dims = doc["dimension"]
    total = int(np.prod(sizes))
    values = _cells(doc["value"], total, source, "value")
    status = _cells(doc.get("status"), total, source, "status")
    cats = {d: _categories(dims[d])[1] for d in ids}
    # a null value with a status symbol is that symbol (set aside later as "no value"), never 0
    cells = [v if v is not None else JSONSTAT_STATUS.get(str(s or ""), str(s or "")) for v, s in zip(values, status)]
    aliases = {fold(dims[d].get("label", d)): d for d in ids}
    notes = [f"JSON-stat, teckenkodning {used}, {total} celler ({' × '.join(ids)})"]
    return cube(source, cats, list(ids), cells, aliases, notes, np.arange(1, total + 1, dtype="int64"))

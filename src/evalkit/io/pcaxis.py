"""PC-Axis (.px) files, with an own small parser that keeps the statistics symbols.

Why not pyaxis: it turns ``".."`` into NaN without saying so (the symbol is lost) and leaves the
codec to the caller, so "år"/"Skärholmen" come out garbled unless ``CHARSET="ANSI"`` is honoured.
The format is small: ``KEYWORD[lang]("sub")=value;`` statements, then ``DATA=`` with the cells in
row-major order of STUB × HEADING variables. This parser handles

* ``CHARSET="ANSI"`` (Windows-1252; otherwise UTF-8 is tried first, ``CODEPAGE`` honoured);
* values spread over several lines and strings continued on the next line;
* ``KEYS("var")=VALUES|CODES`` (sparse data lines that start with the key values);
* symbols in DATA: ``".."``/``"..."``… (not available), ``"-"`` (zero, nothing to report),
  ``"."`` (cannot occur) and ``"x"`` (suppressed) become ``status``, never 0;
* the line of each data cell is kept as the record's row number.

Which variable is the area and which the year: by name (region/område/stadsdel …, år/year/tid) or
``TIMEVAL``; options ``area_dimension`` / ``time_dimension`` override. Other variables must be
mapped to indicators (``dimension_map``), restricted (``select``) or have a single value.

Area level (unless ``level`` is given): the area variable's name ("stadsdelsområde", "SDN",
"stadsdel"), else ``TITLE``/``CONTENTS``/``DESCRIPTION`` (only for names that fit both levels),
else its ``CODES`` when they exist at one level only; see :func:`evalkit.io.core.file_level`.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.io.core import (MissingIndicatorError, ReaderError, ReadResult, decode_bytes, file_level,
                             records_to_result,
                             stated_unit)
from evalkit.io.raw import RawTable, cube
from evalkit.io.table import (apply_dimensions, canonical_header, normalise_dimension_options, time_years,
                             total_selection, year_marker)

_KEYWORD = re.compile(r'^\s*(?P<key>[A-Za-z0-9\-]+)(?:\[(?P<lang>[^\]]*)\])?(?:\((?P<sub>.*)\))?\s*=\s*(?P<val>.*)$',
                      re.DOTALL)
_TOKEN = re.compile(r'"(?P<str>[^"]*)"|(?P<bare>[^\s,;"]+)|(?P<comma>,)')
PX_SYMBOLS = {"..": "..", "...": "..", "....": "..", ".....": "..", "......": "..", "-": "–", "–": "–",
              ".": ".", "x": "x", "X": "x"}
TIME_NAMES = {"år", "ar", "year", "tid", "time", "period"}


def _charset(raw: bytes) -> str | None:
    m = re.search(rb'CHARSET\s*=\s*"([^"]*)"', raw[:4096])
    if m and m.group(1).strip().upper() == b"ANSI":
        return "cp1252"
    m = re.search(rb'CODEPAGE\s*=\s*"([^"]*)"', raw[:4096])
    if m:
        return m.group(1).decode("ascii", "replace").strip().lower()
    return None


def _decode(raw: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    candidates = [encoding] if encoding else [c for c in (_charset(raw), "utf-8-sig", "cp1252") if c]
    for codec in candidates:
        try:
            return raw.decode(codec).lstrip("\ufeff"), codec
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReaderError(f"{name}: okänd teckenkodning (prövade {', '.join(candidates)})")


def _statements(text: str) -> tuple[list[tuple[str, str | None, str | None, str, int]], str, int]:
    """Split the metadata part into statements; return them, the DATA body and its first line."""
    out = []
    i, n, line = 0, len(text), 1
    start, start_line = 0, 1
    in_str = False
    while i < n:
        ch = text[i]
        if ch == '"':
            in_str = not in_str
        elif ch == "\n":
            line += 1
        elif ch == ";" and not in_str:
            stmt = text[start:i]
            m = _KEYWORD.match(stmt)
            if not m:
                raise ReaderError(f"rad {start_line}: ogiltig PC-Axis-sats {stmt.strip()[:40]!r}")
            out.append((m.group("key").upper(), m.group("lang"), m.group("sub"), m.group("val"), start_line))
            start, start_line = i + 1, line
        if not in_str and text.startswith("DATA", i) and text[start:i].strip() == "" and re.match(
                r"DATA\s*=", text[i:i + 12]):
            eq = text.index("=", i)
            data_line = line + text[i:eq + 1].count("\n")
            return out, text[eq + 1:], data_line
        i += 1
    raise ReaderError("DATA= saknas")


def _values(val: str) -> list[str]:
    """Comma-separated quoted values; adjacent strings (line continuations) are joined."""
    items, current, pending = [], "", False
    for m in _TOKEN.finditer(val):
        if m.group("comma"):
            items.append(current)
            current, pending = "", False
        else:
            current += m.group("str") if m.group("str") is not None else m.group("bare")
            pending = True
    if pending or items:
        items.append(current)
    return items


def parse(text: str, name: str = "") -> dict:
    """Parse PC-Axis text into ``{"meta": {...}, "stub": [...], "heading": [...], "values": {var: [...]},
    "codes": {...}, "keys": {...}, "data": [(token, is_quoted, line)]}``."""
    try:
        stmts, body, data_line = _statements(text)
    except ReaderError as exc:
        raise ReaderError(f"{name}: {exc}") from None
    meta, values, codes, keys, timeval = {}, {}, {}, {}, {}
    for key, lang, sub, val, _line in stmts:
        if lang:  # other languages: keep the default language only
            continue
        sub_name = _values(sub)[0] if sub else None
        if key == "VALUES":
            values[sub_name] = _values(val)
        elif key == "CODES":
            codes[sub_name] = _values(val)
        elif key == "KEYS":
            keys[sub_name] = _values(val)[0].upper()
        elif key == "TIMEVAL":
            timeval[sub_name] = True
        elif sub_name is None:
            meta[key] = " ".join(_values(val)) if '"' in val else val.strip()
    stub = _values(meta.get("STUB", "")) if "STUB" in meta else []
    heading = _values(meta.get("HEADING", "")) if "HEADING" in meta else []
    # STUB/HEADING were joined above; re-read them as lists
    for key, lang, sub, val, _line in stmts:
        if not lang and not sub and key in ("STUB", "HEADING"):
            (stub if key == "STUB" else heading)[:] = _values(val)
    data, line = [], data_line
    for m in re.finditer(r'"(?P<q>[^"]*)"|(?P<b>[^\s,;"]+)|(?P<nl>\n)|(?P<end>;)', body):
        if m.group("nl"):
            line += 1
        elif m.group("end"):
            if body[m.end():].strip():
                raise ReaderError(f"{name}: rad {line}: text efter DATA-blockets slut (;) – "
                                  "cellerna där skulle annars tappas")
            break
        elif m.group("q") is not None:
            data.append((m.group("q"), True, line))
        else:
            data.append((m.group("b"), False, line))
    return {"meta": meta, "stub": stub, "heading": heading, "values": values, "codes": codes, "keys": keys,
            "timeval": timeval, "data": data}


def _pick(names: list[str], wanted: str | None, test) -> str | None:
    if wanted:
        for n in names:
            if n.casefold() == wanted.casefold():
                return n
        raise ReaderError(f"variabeln {wanted!r} finns inte (finns: {', '.join(names)})")
    return next((n for n in names if test(n)), None)


def read(path: Path, indicator: str | None = None, encoding: str | None = None, area_dimension: str | None = None,
         time_dimension: str | None = None, dimension_map: dict | None = None, select: dict | None = None,
         source_label: str | None = None, **options) -> ReadResult:
    """Read a PC-Axis file into tidy rows and quarantine (see module docstring)."""
    source = path.name
    text, used = _decode(path.read_bytes(), source, encoding)
    px = parse(text, source)
    stub, heading, values = px["stub"], px["heading"], px["values"]
    variables = stub + heading
    missing = [v for v in variables if v not in values]
    if missing or not variables:
        raise ReaderError(f"{source}: VALUES saknas för {', '.join(missing) or 'STUB/HEADING'}")
    try:
        area_var = _pick(variables, area_dimension, lambda n: canonical_header(n) in ("area", "area_code"))
        time_var = _pick(variables, time_dimension,
                         lambda n: n in px["timeval"] or n.strip().casefold() in TIME_NAMES)
    except ReaderError as exc:
        raise ReaderError(f"{source}: {exc}") from None
    if area_var is None or time_var is None:
        raise ReaderError(f"{source}: hittar inte område- och årsvariabel bland {', '.join(variables)} "
                          "(ange area_dimension=/time_dimension=)")
    stub_combos = list(itertools.product(*[values[v] for v in stub])) if stub else [()]
    head_combos = list(itertools.product(*[values[v] for v in heading])) if heading else [()]
    data = px["data"]
    records_dims: list[tuple] = []
    cells: list[tuple[str, bool, int]] = []
    if px["keys"]:
        # sparse rows: key values of the KEYS variables, then one cell per heading combination
        key_vars = [v for v in stub if v in px["keys"]]
        rest_vars = [v for v in stub if v not in px["keys"]]
        rest_combos = list(itertools.product(*[values[v] for v in rest_vars])) if rest_vars else [()]
        i = 0
        while i < len(data):
            key_tokens = [t for t, _q, _l in data[i:i + len(key_vars)]]
            i += len(key_vars)
            key_values = []
            for var, tok in zip(key_vars, key_tokens):
                if px["keys"][var] == "CODES" and var in px["codes"] and tok in px["codes"][var]:
                    tok = values[var][px["codes"][var].index(tok)]
                key_values.append(tok)
            for rest in rest_combos:
                for head in head_combos:
                    if i >= len(data):
                        raise ReaderError(f"{source}: DATA tar slut mitt i en rad (KEYS)")
                    key_map = dict(zip(key_vars, key_values)) | dict(zip(rest_vars, rest))
                    records_dims.append(tuple(key_map[v] for v in stub) + head)
                    cells.append(data[i])
                    i += 1
    else:
        expected = len(stub_combos) * len(head_combos)
        if len(data) != expected:
            raise ReaderError(f"{source}: DATA har {len(data)} celler men VALUES ger {expected}")
        records_dims = [s + h for s in stub_combos for h in head_combos]
        cells = data
    dims = pd.DataFrame(records_dims, columns=variables, dtype=str)
    tokens = pd.Series([c[0] for c in cells], dtype="str")
    quoted = np.array([c[1] for c in cells], dtype=bool)
    lines = np.array([c[2] for c in cells], dtype="int64")
    symbol = tokens.map(PX_SYMBOLS)
    is_symbol = symbol.notna().to_numpy() & (quoted | tokens.isin(["..", "-", "."]).to_numpy())
    base = pd.DataFrame({
        "row_number": lines,
        "column": "DATA " + dims[time_var] + ("" if len(variables) <= 2 else ""),
        "area": dims[area_var],
        "indicator": indicator or "",
        "year": time_years(dims[time_var]),
        "value": tokens.where(~is_symbol, ""),
        "status": symbol.where(is_symbol, "").fillna(""),
        "source": source_label or px["meta"].get("SOURCE", "") or "",
        "reason": "",
        "reason_column": "",
    })
    base.loc[quoted & ~is_symbol, "reason"] = "okänd symbol i DATA (" + tokens[quoted & ~is_symbol] + ")"
    dim_map, sel = normalise_dimension_options(dimension_map, select)
    others = [v for v in variables if v not in (area_var, time_var)]
    chosen, total_notes = total_selection(source, {v: values[v] for v in others}, set(dim_map) | set(sel),
                                          "variabeln")
    sel.update({v.casefold(): {m.casefold() for m in members} for v, members in chosen.items()})
    apply_dimensions(base, {v: dims[v] for v in others if v.casefold() in dim_map or v.casefold() in sel},
                     dim_map, sel)
    if not indicator and not dim_map:
        raise MissingIndicatorError(source, "PC-Axis-filen")
    found = file_level(options.pop("level", None), heading=area_var, what="områdesvariabelns namn",
                       titles=[px["meta"].get(k, "") for k in ("TITLE", "CONTENTS", "DESCRIPTION")],
                       codes=px["codes"].get(area_var, []))
    notes = [f"PC-Axis, teckenkodning {used}, {len(base)} celler ({' × '.join(variables)})", found.note]
    notes += total_notes
    for key in ("TITLE", "CONTENTS", "UNITS", "SOURCE", "NOTE"):
        if key in px["meta"]:
            notes.append(f"{key}: {px['meta'][key]}")
    # UNITS ("procent", "antal", "kronor") is checked against the catalogue like a table's title
    units = stated_unit([px["meta"]["UNITS"]]) if px["meta"].get("UNITS") and not options.get("value_unit") else None
    if units is not None:
        notes.append(f"enhet {units[0]}: från UNITS {units[1]!r} (prövas mot katalogens enhet)")
    marked = sorted({t for t in values[time_var] if year_marker(t)})
    if marked:
        notes.append("tider med markering läses som året; markeringen noteras här: " + ", ".join(marked))
    return records_to_result(base, source, rows_read=len(base), notes=notes, unit_stated=units, **found.options(),
                             headings={"area": area_var, "year": time_var}, **options)


#: Keywords a PC-Axis file starts with (its first statement), whatever its name.
_FIRST_KEYWORD = re.compile(rb'^(CHARSET|AXIS-VERSION|CODEPAGE|LANGUAGE|CREATION-DATE|DECIMALS|MATRIX|SUBJECT-CODE)'
                            rb'\s*[=(]')


def looks_like(head: bytes) -> bool:
    """Whether the first bytes of a file are a PC-Axis statement."""
    return bool(_FIRST_KEYWORD.match(head.lstrip(b"\xef\xbb\xbf \r\n\t").upper()))


def read_raw(path: Path, wanted: list[str] = (), encoding: str | None = None, **_options) -> RawTable:
    """The cube as a raw table, one column per variable (``evalkit effects``); ``wanted`` is not
    needed: a cube names its variables itself."""
    source = path.name
    text, used = decode_bytes(path.read_bytes(), source, encoding)
    m = re.search(r'CHARSET\s*=\s*"ANSI"', text[:4096], re.IGNORECASE)
    if m and used != "cp1252" and not encoding:  # ANSI files that happen to be valid UTF-8
        text, used = decode_bytes(path.read_bytes(), source, "cp1252")
    px = parse(text, source)
    ids = px["stub"] + px["heading"]
    missing = [v for v in ids if v not in px["values"]]
    if missing or not ids:
        raise ReaderError(f"{source}: VALUES saknas för {', '.join(missing) or 'STUB/HEADING'}")
    if px["keys"]:
        raise ReaderError(f"{source}: glesa PC-Axis-filer (KEYS) läses inte av evalkit effects; spara tabellen "
                          "som CSV eller fullständig PC-Axis")
    expected = int(np.prod([len(px["values"][v]) for v in ids]))
    if len(px["data"]) != expected:
        raise ReaderError(f"{source}: DATA har {len(px['data'])} celler men VALUES ger {expected}")
    cells = [tok for tok, _quoted, _line in px["data"]]
    rows = np.array([line for _tok, _quoted, line in px["data"]], dtype="int64")
    notes = [f"PC-Axis, teckenkodning {used}, {expected} celler ({' × '.join(ids)})"]
    return cube(source, {v: px["values"][v] for v in ids}, ids, cells, {}, notes, rows)

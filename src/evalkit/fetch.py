"""`evalkit fetch`: SCB tables from Statistikdatabasen into ``data/raw/scb/`` with their provenance.

A fetch is an explicit step, never part of clean, build or test. For one table and one catalogue
indicator it

1. asks the API for its limits and the table's metadata, builds the question
   (:func:`evalkit.pxweb.build_selection`) and splits it below the value limit;
2. writes each response unchanged, ``data/raw/scb/scb_<table>_<indicator>[_del<k>].json``, with
   * ``<file>.fetch.json`` – the provenance: API, table, the exact query, the table's ``updated``,
     the retrieval time, SHA-256 of the bytes, licence, the catalogue indicator and the unit SCB gives;
   * ``<file>.evalkit.json`` – the reading instruction that `evalkit clean` uses (indicator, RegSO
     areas → stadsdelar, source label), like any other published file;
3. lists the file in ``sources.csv`` (kind ``indicators``) unless it is already there, so the
   JSON-stat reader, the RegSO mapping, the contract and the quarantine treat it like any input.

``--refresh`` asks every recorded query again, shows which values changed (the tidy rows of the
stored and the new response compared by :func:`evalkit.analysis.changes.value_changes`, the same
comparison as `evalkit diff`) and only then replaces the files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from evalkit import pxweb
from evalkit.paths import raw_dir, sources_file, sources_listing
from evalkit.pxweb import FetchError

FOLDER = "scb"
PROVENANCE_SUFFIX = ".fetch.json"
READING_SUFFIX = ".evalkit.json"


@dataclass
class Written:
    """One file a fetch wrote (or a refresh replaced): where, how many values, and the provenance."""

    path: Path
    provenance: dict
    registered: bool = False


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    """Retrieval time, UTC, to the second (it is provenance, recorded beside the data, never in a report's text)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file beside ``path``, so a failed fetch never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_bytes(doc: dict) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def file_name(table_id: str, indicator: str, part: int, parts: int) -> str:
    """``scb_tab638_folkmangd.json``; ``…_del2.json`` when the question needed several calls."""
    stem = f"scb_{table_id.lower()}_{indicator}"
    return f"{stem}.json" if parts == 1 else f"{stem}_del{part}.json"


def reading_instruction(table: pxweb.Table, indicator: str, selection: dict, level: str | None,
                        retrieved: str) -> dict:
    """The ``.evalkit.json`` for a fetched file: what `evalkit clean` must know to read it."""
    region = table.region()
    chose_level = region is not None and level is not None and all(
        pxweb.LEVEL_PATTERNS[level].match(c) for c in selection.get(region.id, []))
    side = {"_comment": f"Läsanvisning skriven av evalkit fetch ({table.id}); filen bredvid är SCB:s svar oförändrat, "
                        "frågan och hämtningen står i .fetch.json.",
            "indicator": indicator,
            "source_label": f"SCB, Statistikdatabasen {table.id}: {table.label} (API v2, hämtad {retrieved[:10]}, CC0)"}
    if region is not None:
        side["area_dimension"] = region.id
    if table.role("time") is not None:
        side["time_dimension"] = table.role("time").id
    if chose_level and level == "regso":
        # RegSO codes ("0180R002") go through the RegSO key to stadsdelar, as the exported RegSO files do
        side.update({"level": "stadsdel", "area_type": "regso", "area_labels": False})
    return side


def provenance(client: pxweb.Client, table: pxweb.Table, body: dict, data: bytes, indicator: str, part: int,
               parts: int, level: str | None, retrieved: str, whole: dict) -> dict:
    """The ``.fetch.json`` of one response."""
    metric = table.role("metric")
    contents = {}
    if metric is not None:
        for code in whole.get(metric.id, []):
            contents[code] = {"label": metric.label_of(code), "unit": table.units.get(code, "")}
    return {
        "_comment": "Hämtat av evalkit fetch: filen bredvid är API:ets svar byte för byte. "
                    "`evalkit fetch scb --refresh` ställer samma fråga igen och visar vad som ändrats.",
        "api": client.api,
        "table": table.id,
        "table_label": table.label,
        "url": client.data_url(table.id),
        "method": "POST",
        "query": body,
        "question": pxweb.query_body(whole),
        "part": part,
        "parts": parts,
        "values": pxweb.values_in({s["variableCode"]: s["valueCodes"] for s in body["selection"]}),
        "level": level,
        "updated": table.updated,
        "retrieved": retrieved,
        "sha256": _sha256(data),
        "licence": pxweb.LICENCE,
        "indicator": indicator,
        "contents": contents,
    }


def register(raw: Path, rel: str, description: str) -> bool:
    """Add ``rel`` to ``sources.csv`` (kind ``indicators``) unless listed; True when a row was added."""
    header, rows = sources_listing(raw)
    if rel in {r["path"] for r in rows}:
        return False
    listing = sources_file(raw)  # appended to, not parsed: the header and rows come from sources_listing
    row = {c: "" for c in header}
    row.update({"path": rel, "description": description})
    if "kind" in row:
        row["kind"] = "indicators"
    text = listing.read_text(encoding="utf-8")
    with listing.open("a", encoding="utf-8", newline="") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerow(row)
    return True


def _check_indicator(indicator: str) -> pd.Series:
    from evalkit import programme

    catalogue = programme.indicator_catalogue().set_index("indicator")
    if indicator not in catalogue.index:
        raise FetchError(f"indikatorn {indicator!r} finns inte i indicators.csv (lägg till den först; README, Ny indikator)")
    return catalogue.loc[indicator]


def unit_warning(table: pxweb.Table, selection: dict, indicator: str, catalogue_unit: str) -> str | None:
    """A line when SCB's unit for the chosen contents and the catalogue's unit for the indicator differ
    in their first word ("antal personer" fits "antal"; "procent" does not)."""
    metric = table.role("metric")
    if metric is None:
        return None
    for code in selection.get(metric.id, []):
        unit = table.units.get(code, "")
        if unit and catalogue_unit and unit.split()[0].casefold() != catalogue_unit.split()[0].casefold():
            return (f"SCB:s enhet för {code} är {unit!r}, katalogens enhet för {indicator} är {catalogue_unit!r}; "
                    "kontrollera att det är rätt indikator")
    return None


def fetch(table_id: str, indicator: str, select: dict | None = None, years: list[int] | None = None,
          level: str = "regso", client: pxweb.Client | None = None, raw: Path | None = None,
          now: str | None = None, say=print) -> list[Written]:
    """Fetch one table for one catalogue indicator into ``raw/scb`` (see the module docstring)."""
    raw = raw or raw_dir()
    client = client or pxweb.Client()
    row = _check_indicator(indicator)
    limits = client.limits()
    client.limiter.calls, client.limiter.window = limits.calls, limits.window
    table = pxweb.parse_metadata(table_id, client.metadata(table_id))
    if table.region() is None:
        raise FetchError(f"{table.id} har ingen områdesdimension ({', '.join(table.ids())}); "
                         "evalkit läser bara tabeller per område")
    selection = pxweb.build_selection(table, select, years, level)
    if table.region().id in {table.dimension(name).id for name in (select or {})}:
        level = None  # the regions were chosen by code, not as a level
    warning = unit_warning(table, selection, indicator, str(row.get("unit", "")))
    if warning:
        say(f"varning: {warning}")
    deso = level == "deso"
    parts = len(pxweb.split(selection, limits.max_values))
    names = {file_name(table.id, indicator, k, parts) for k in range(1, parts + 1)}
    stale = sorted(p.name for p in (raw / FOLDER).glob(f"scb_{table.id.lower()}_{indicator}*.json")
                   if p.name not in names and re.fullmatch(rf"scb_{table.id.lower()}_{indicator}(_del\d+)?\.json", p.name))
    if stale:  # a series split otherwise before: its old parts would be read beside the new ones
        raise FetchError(f"{', '.join(stale)} kommer från en tidigare hämtning av samma serie med ett annat antal "
                         "delar; ta bort filerna (och deras rader i sources.csv) och hämta igen")
    retrieved = now or _now()
    responses = pxweb.download(client, table, selection, limits.max_values)
    written = []
    for k, (body, data) in enumerate(responses, start=1):
        path = raw / FOLDER / file_name(table.id, indicator, k, len(responses))
        _write_atomic(path, data)
        prov = provenance(client, table, body, data, indicator, k, len(responses), level, retrieved, selection)
        _write_atomic(path.with_name(path.name + PROVENANCE_SUFFIX), _json_bytes(prov))
        registered = False
        if not deso:  # DeSO rows have no key to stadsdelar in evalkit yet: the file is kept, not read
            _write_atomic(path.with_name(path.name + READING_SUFFIX),
                          _json_bytes(reading_instruction(table, indicator, selection, level, retrieved)))
            rel = path.relative_to(raw).as_posix()
            registered = register(raw, rel, f"SCB, Statistikdatabasen {table.id}: {table.label} – {indicator} "
                                             f"(verkliga, CC0; hämtad med evalkit fetch, fråga i .fetch.json)")
        written.append(Written(path, prov, registered))
    return written


# --------------------------------------------------------------------------- recorded fetches


def recorded(raw: Path | None = None) -> list[tuple[Path, dict]]:
    """Every fetched file under ``raw/scb`` with its provenance, by file name."""
    folder = (raw or raw_dir()) / FOLDER
    out = []
    for side in sorted(folder.glob(f"*{PROVENANCE_SUFFIX}")):
        try:
            prov = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FetchError(f"{side.name}: kan inte läsas ({exc})") from None
        out.append((side.with_name(side.name[: -len(PROVENANCE_SUFFIX)]), prov))
    return out


def query_text(prov: dict) -> str:
    """The recorded question, short: ``Region=0180R001…0180R127 (127), ContentsCode=BE0101N1, Tid=2011–2020``."""
    parts = []
    for item in prov.get("query", {}).get("selection", []):
        codes = item.get("valueCodes", [])
        shown = ",".join(codes) if len(codes) <= 3 else f"{codes[0]}…{codes[-1]} ({len(codes)})"
        parts.append(f"{item.get('variableCode')}={shown}")
    return "; ".join(parts)


def series_table(raw: Path | None = None) -> pd.DataFrame:
    """One row per fetched file: file, table, question, SCB's update and retrieval date (for the method page
    and the data package)."""
    rows = []
    for path, prov in recorded(raw):
        rows.append({"path": f"{FOLDER}/{path.name}", "table": prov.get("table", ""),
                     "table_label": prov.get("table_label", ""), "indicator": prov.get("indicator", ""),
                     "api": prov.get("api", ""), "query": query_text(prov), "query_body": prov.get("query", {}),
                     "updated": str(prov.get("updated", ""))[:10], "retrieved": str(prov.get("retrieved", ""))[:10],
                     "sha256": prov.get("sha256", ""), "licence": prov.get("licence", "")})
    return pd.DataFrame(rows, columns=["path", "table", "table_label", "indicator", "api", "query", "query_body",
                                       "updated", "retrieved", "sha256", "licence"])


# --------------------------------------------------------------------------- refresh


@dataclass
class Refreshed:
    """What asking a recorded query again gave: the file, whether the bytes differ, the value changes."""

    path: Path
    changed: bool
    changes: pd.DataFrame
    cells_changed: int
    replaced: bool


def _tidy(path: Path, options: dict) -> pd.DataFrame:
    from evalkit.io.formats import read_with_quarantine

    return read_with_quarantine(path, **options).data


def _cells(raw: bytes) -> dict:
    """Cell -> (value, status) of a JSON-stat 2 response, keyed by its dimension codes."""
    import itertools

    doc = json.loads(raw)
    dims = pxweb.parse_metadata("svar", doc).dimensions

    def at(member, i):
        if isinstance(member, list):
            return member[i] if i < len(member) else None
        if isinstance(member, dict):
            return member.get(str(i))
        return member  # one status for every cell, or none

    keys = itertools.product(*[d.codes for d in dims])
    return {key: (at(doc.get("value"), i), at(doc.get("status"), i)) for i, key in enumerate(keys)}


def cell_changes(old: bytes, new: bytes) -> int:
    """How many cells differ between two JSON-stat responses, by their dimension codes (value or status;
    a cell in one only counts too) – also cells that the reader sets aside."""
    a, b = _cells(old), _cells(new)
    return sum(1 for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def refresh(table_id: str | None = None, client: pxweb.Client | None = None, raw: Path | None = None,
            api: str | None = None, replace: bool = True, now: str | None = None, say=print) -> list[Refreshed]:
    """Ask every recorded query (of ``table_id``, or all) again; show the changes, then replace."""
    from evalkit import programme
    from evalkit.analysis import changes
    from evalkit.io.core import sidecar_options

    raw = raw or raw_dir()
    entries = [(p, prov) for p, prov in recorded(raw) if table_id is None or prov.get("table") == table_id]
    if not entries:
        raise FetchError(f"inga hämtade filer{' för ' + table_id if table_id else ''} i {raw / FOLDER} "
                         "(hämta först med evalkit fetch scb TABELL --indicator …)")
    retrieved = now or _now()
    clients: dict[str, pxweb.Client] = {}
    updated: dict[tuple[str, str], str] = {}
    labels = programme.indicator_catalogue().set_index("indicator")["label_sv"]
    out = []
    for path, prov in entries:
        base = (api or prov["api"]).rstrip("/")
        if base not in clients:  # the recorded API (or --api), one client each; a given client serves all
            clients[base] = client or pxweb.Client(base)
        c = clients[base]
        if (base, prov["table"]) not in updated:
            updated[(base, prov["table"])] = pxweb.parse_metadata(prov["table"], c.metadata(prov["table"])).updated
        new = c.data(prov["table"], prov["query"])
        old = path.read_bytes() if path.is_file() else b""
        if old and _sha256(new) == _sha256(old):
            # same bytes (the answer carries the table's "updated" too): nothing is written, so
            # clean and the pages have nothing to redo and the recorded retrieval still holds
            say(f"{path.name}: oförändrad (SCB uppdaterade {prov['table']} {updated[(base, prov['table'])][:10]})")
            out.append(Refreshed(path, False, pd.DataFrame(), 0, False))
            continue
        options = sidecar_options(path)
        tmp = path.with_name(f".{path.stem}.ny{path.suffix}")
        _write_atomic(tmp, new)
        try:
            found = changes.value_changes(_tidy(path, options), _tidy(tmp, options)) if old else pd.DataFrame()
        finally:
            tmp.unlink(missing_ok=True)
        n_cells = cell_changes(old, new) if old else 0
        say(f"{path.name}: {n_cells} celler ändrade i SCB:s svar, {len(found)} värden i evalkits tabell:")
        for r in found.head(50).itertuples(index=False):
            name = labels.get(r.indicator, r.indicator)
            say(f"    {r.area_name}, {name}, {r.year}, {r.field}: {_num(r.old)} → {_num(r.new)} ({r.kind})")
        if len(found) > 50:
            say(f"    … och {len(found) - 50} till")
        if replace:
            _write_atomic(path, new)
            prov.update(retrieved=retrieved, updated=updated[(base, prov["table"])], sha256=_sha256(new))
            _write_atomic(path.with_name(path.name + PROVENANCE_SUFFIX), _json_bytes(prov))
            say(f"{path.name}: ersatt")
        out.append(Refreshed(path, True, found, n_cells, replace))
    return out


def _num(value) -> str:
    """A value for a change line: Swedish decimal comma, empty as "–"."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    text = f"{float(value):,.6g}" if abs(float(value)) < 1e6 else f"{float(value):,.0f}"
    return text.replace(",", " ").replace(".", ",")

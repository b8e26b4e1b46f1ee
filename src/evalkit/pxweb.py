"""A small client for SCB's Statistikdatabasen, PxWeb API v2 (table metadata and data as JSON-stat 2).

What the API asks of a client (SCB's open-data page and the API's ``/config``): at most about 10 calls
per 10 seconds and at most 100 000 values per call; a client that asks too much gets HTTP 403 or 429
(503 when the service is busy). So this module

* reads a table's metadata (``GET /tables/{id}/metadata``) into :class:`Table`,
* builds a selection (:func:`build_selection`: the regions of a RegSO/DeSO level in Stockholm, the
  contents code, the years, every other dimension chosen or left out where the table allows it),
* splits it into calls below the value limit (:func:`split`),
* spaces the calls with a sliding-window :class:`RateLimiter` and retries 403/429/503 with backoff,
* returns each response's bytes unchanged (``POST /tables/{id}/data?outputFormat=json-stat2``).

The HTTP itself is httpx (a maintained client). Why not a PxWeb package: the v2 clients on PyPI
(pxwebpy, pxstatspy) turn the answers into records or data frames (pxwebpy also caches them with
requests-cache), so the response as SCB sent it – what ``data/raw`` keeps and hashes – is not
available, and they retry only 429 with the real clock. What is written here is only that protocol
layer. Clock and sleep are injectable so that tests run the real code without waiting.
Every failure is a :class:`FetchError` with one line of Swedish text.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

#: SCB's API v2 (the default; ``--api`` points elsewhere, e.g. a test server).
DEFAULT_API = "https://statistikdatabasen.scb.se/api/v2"
#: SCB's stated limits for one client; the API's ``/config`` may allow more, never less is assumed.
MAX_VALUES = 100_000
MAX_CALLS = 10
WINDOW_SECONDS = 10.0
#: Answers that mean "too much, too fast" or "busy": wait and ask again.
RETRY_STATUSES = (403, 429, 503)
RETRIES = 5
BACKOFF_SECONDS = 2.0
LANGUAGE = "sv"
#: SCB's open data are CC0 (the API's config says so in ``license``).
LICENCE = "CC0 1.0 (SCB:s öppna data)"
STOCKHOLM = "0180"
#: Region codes of one level in Stockholm: RegSO "0180R001", DeSO "0180C1010" (a suffix such as
#: "_RegSO2020" may follow in some tables).
LEVEL_PATTERNS = {"regso": re.compile(rf"^{STOCKHOLM}R\d{{3}}(?:_\w+)?$"),
                  "deso": re.compile(rf"^{STOCKHOLM}[A-C]\d{{4}}(?:_\w+)?$")}
LEVEL_NAMES = {"regso": "RegSO", "deso": "DeSO"}
REGION_NAMES = {"region", "område", "omrade", "regso", "deso"}


class FetchError(Exception):
    """A fetch that cannot go on; the message is one line, shown as it is."""


# --------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class Dimension:
    """One dimension of a table: its codes and labels in order, and whether it may be left out."""

    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    elimination: bool
    role: str = ""  # "time", "metric", "geo" or ""

    def label_of(self, code: str) -> str:
        return self.labels[self.codes.index(code)]


@dataclass(frozen=True)
class Table:
    """A table's metadata: id, title, when SCB last updated it, dimensions and the unit of each contents code."""

    id: str
    label: str
    updated: str
    dimensions: tuple[Dimension, ...]
    units: dict = field(default_factory=dict)

    def dimension(self, name: str) -> Dimension:
        """The dimension called ``name`` (id or label, any case), or FetchError listing the others."""
        for d in self.dimensions:
            if name.strip().casefold() in (d.id.casefold(), d.label.casefold()):
                return d
        raise FetchError(f"{self.id} har ingen dimension {name!r} (dimensioner: {', '.join(self.ids())})")

    def ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    def role(self, role: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.role == role), None)

    def region(self) -> Dimension | None:
        """The area dimension: role ``geo``, else by name (Region, område …)."""
        return self.role("geo") or next(
            (d for d in self.dimensions if {d.id.casefold(), d.label.casefold()} & REGION_NAMES), None)


def parse_metadata(table_id: str, doc: dict) -> Table:
    """A JSON-stat 2 metadata document (``/tables/{id}/metadata``) as a :class:`Table`."""
    try:
        roles = {d: r for r, ds in (doc.get("role") or {}).items() for d in ds}
        dims = []
        for dim_id in doc["id"]:
            spec = doc["dimension"][dim_id]
            category = spec.get("category", {})
            index = category.get("index")
            if isinstance(index, dict):
                codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
            else:
                codes = list(index if index is not None else category.get("label", {}))
            labels = [str(category.get("label", {}).get(c, c)) for c in codes]
            elimination = bool((spec.get("extension") or {}).get("elimination", False))
            dims.append(Dimension(dim_id, str(spec.get("label", dim_id)), tuple(codes), tuple(labels), elimination,
                                  roles.get(dim_id, "")))
        metric = next((d for d in dims if d.role == "metric"), None)
        units = {}
        if metric is not None:
            unit_spec = doc["dimension"][metric.id].get("category", {}).get("unit", {}) or {}
            units = {code: str((u or {}).get("base", "")) for code, u in unit_spec.items()}
        return Table(table_id, str(doc.get("label", "")), str(doc.get("updated", "")), tuple(dims), units)
    except (KeyError, TypeError, AttributeError) as exc:
        raise FetchError(f"{table_id}: metadata är inte JSON-stat 2 ({type(exc).__name__}: {exc})") from None


# --------------------------------------------------------------------------- the question


def parse_select(items: list[str] | None) -> dict[str, list[str]]:
    """``["Kon=1,2", "Alder=0"]`` -> ``{"Kon": ["1", "2"], "Alder": ["0"]}`` (FetchError on a malformed item)."""
    out: dict[str, list[str]] = {}
    for item in items or []:
        name, sep, codes = item.partition("=")
        values = [c.strip() for c in codes.split(",") if c.strip()]
        if not sep or not name.strip() or not values:
            raise FetchError(f"--select {item!r}: skriv DIMENSION=KOD[,KOD…], t.ex. Kon=1")
        out.setdefault(name.strip(), []).extend(values)
    return out


def _codes_shown(dim: Dimension, limit: int = 8) -> str:
    shown = ", ".join(f"{c} ({lab})" if lab != c else c for c, lab in list(zip(dim.codes, dim.labels))[:limit])
    return shown + (f" … ({len(dim.codes)} koder)" if len(dim.codes) > limit else "")


def _year_of(code: str) -> int | None:
    match = re.match(r"^((?:19|20)\d{2})", code)
    return int(match.group(1)) if match else None


def build_selection(table: Table, select: dict[str, list[str]] | None = None, years: list[int] | None = None,
                    level: str = "regso", one_series: bool = True) -> dict[str, list[str]]:
    """The codes to ask for, per dimension in the table's order; a dimension left out is eliminated.

    * chosen codes (``select``) are checked against the metadata (unknown dimension or code: FetchError);
    * the area dimension, if not chosen: every region of ``level`` in Stockholm (RegSO "0180R…",
      DeSO "0180C…");
    * time: the codes of ``years`` (all when None);
    * contents (role ``metric``): the chosen code, or the only one;
    * any other dimension: chosen, else left out where the table allows elimination (SCB then gives
      the total), else its only code.
    With ``one_series`` (a fetch feeds one catalogue indicator) every dimension other than area and
    time must end with one code or be left out.
    """
    select = dict(select or {})
    chosen: dict[str, list[str]] = {}
    for name, codes in select.items():
        dim = table.dimension(name)
        unknown = [c for c in codes if c not in dim.codes]
        if unknown:
            raise FetchError(f"{table.id}: dimensionen {dim.id} har ingen kod {unknown[0]!r} (koder: {_codes_shown(dim)})")
        chosen[dim.id] = list(dict.fromkeys(codes))
    region, time_dim = table.region(), table.role("time")
    out: dict[str, list[str]] = {}
    for dim in table.dimensions:
        if dim.id in chosen:
            out[dim.id] = chosen[dim.id]
        elif region is not None and dim.id == region.id:
            pattern = LEVEL_PATTERNS[level]
            codes = [c for c in dim.codes if pattern.match(c)]
            if not codes:
                raise FetchError(f"{table.id}: dimensionen {dim.id} har inga {LEVEL_NAMES[level]}-områden i Stockholm "
                                 f"({STOCKHOLM}…); välj område med --select {dim.id}=KOD (koder: {_codes_shown(dim)})")
            out[dim.id] = codes
        elif time_dim is not None and dim.id == time_dim.id:
            codes = [c for c in dim.codes if years is None or _year_of(c) in set(years)]
            if not codes:
                known = [y for y in map(_year_of, dim.codes) if y is not None]
                span = f"{min(known)}–{max(known)}" if known else ", ".join(dim.codes[:5])
                raise FetchError(f"{table.id}: inga av åren {years[0]}–{years[-1]} finns i tabellen (den har {span})")
            out[dim.id] = codes
        elif dim.role == "metric":
            if len(dim.codes) != 1:
                raise FetchError(f"{table.id}: välj tabellinnehåll med --select {dim.id}=KOD "
                                 f"(koder: {_codes_shown(dim)})")
            out[dim.id] = list(dim.codes)
        elif dim.elimination:
            continue  # left out: SCB sums over it (its elimination value)
        elif len(dim.codes) == 1:
            out[dim.id] = list(dim.codes)
        else:
            raise FetchError(f"{table.id}: dimensionen {dim.id} kan inte utelämnas; välj med --select {dim.id}=KOD "
                             f"(koder: {_codes_shown(dim)})")
    if one_series:
        for dim_id, codes in out.items():
            if len(codes) > 1 and dim_id not in {getattr(region, "id", None), getattr(time_dim, "id", None)}:
                raise FetchError(f"{table.id}: en hämtning ger en serie (en indikator), men {dim_id} har {len(codes)} "
                                 f"koder; välj en med --select {dim_id}=KOD")
    return out


def values_in(selection: dict[str, list[str]]) -> int:
    """How many values a selection asks for (a left-out dimension counts once)."""
    return math.prod(len(c) for c in selection.values()) if selection else 1


def split(selection: dict[str, list[str]], max_values: int) -> list[dict[str, list[str]]]:
    """Selections of at most ``max_values`` values each that together ask for exactly ``selection``.

    The dimension with most codes is cut into runs as long as the limit allows; if one code of it
    is still too much with everything else, the parts are split again along the next dimension.
    """
    if max_values < 1:
        raise ValueError("max_values must be positive")
    total = values_in(selection)
    if total <= max_values:
        return [selection]
    dim = max(selection, key=lambda d: len(selection[d]))
    codes = selection[dim]
    rest = total // len(codes)
    run = max(1, max_values // rest)
    parts = [{**selection, dim: codes[i:i + run]} for i in range(0, len(codes), run)]
    return [piece for part in parts for piece in split(part, max_values)]


def query_body(selection: dict[str, list[str]]) -> dict:
    """The JSON body of a v2 data call."""
    return {"selection": [{"variableCode": d, "valueCodes": list(c)} for d, c in selection.items()]}


# --------------------------------------------------------------------------- calls


class RateLimiter:
    """At most ``calls`` calls in any ``window`` seconds (a sliding window over the times of the last calls).

    ``clock`` and ``sleep`` default to the real ones; tests give a fake clock whose sleep moves it on.
    """

    def __init__(self, calls: int = MAX_CALLS, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.calls, self.window, self.clock, self.sleep = calls, window, clock, sleep
        self.times: deque[float] = deque()
        self.waited = 0.0

    def wait(self) -> None:
        """Block until one more call keeps within the limit, then count it."""
        while True:
            now = self.clock()
            while self.times and self.times[0] <= now - self.window:
                self.times.popleft()
            if len(self.times) < self.calls:
                break
            # until the oldest call leaves the window (at least a millisecond, so rounding cannot spin)
            pause = max(self.times[0] + self.window - now, 1e-3)
            self.sleep(pause)
            self.waited += pause
        self.times.append(now)


@dataclass(frozen=True)
class Limits:
    """What one client may ask: values per call, calls per window."""

    max_values: int = MAX_VALUES
    calls: int = MAX_CALLS
    window: float = WINDOW_SECONDS


class Client:
    """PxWeb API v2 calls with rate limiting and retries; ``http`` is an :class:`httpx.Client`."""

    def __init__(self, api: str = DEFAULT_API, http: httpx.Client | None = None, limiter: RateLimiter | None = None,
                 sleep: Callable[[float], None] = time.sleep, retries: int = RETRIES,
                 backoff: float = BACKOFF_SECONDS, timeout: float = 60.0):
        self.api = api.rstrip("/")
        self.http = http or httpx.Client(timeout=timeout, headers={"User-Agent": "evalkit-fetch"})
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.sleep, self.retries, self.backoff = sleep, retries, backoff
        self.calls = 0
        self.retried: list[int] = []

    def url(self, path: str) -> str:
        return f"{self.api}/{path.lstrip('/')}"

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One call, spaced by the limiter; 403/429/503 are asked again after a pause (Retry-After
        when the server gives one, else doubling from ``backoff``)."""
        url = self.url(path)
        for attempt in range(self.retries + 1):
            self.limiter.wait()
            self.calls += 1
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx.TimeoutException:
                raise FetchError(f"inget svar från {url} inom tidsgränsen") from None
            except httpx.TransportError as exc:
                raise FetchError(f"ingen förbindelse med {self.api} ({type(exc).__name__}: {exc})") from None
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                self.retried.append(response.status_code)
                delay = _retry_after(response)
                self.sleep(self.backoff * 2 ** attempt if delay is None else delay)
                continue
            return response
        return response

    def _fail(self, response: httpx.Response, what: str) -> FetchError:
        detail = " ".join(response.text.split())[:160]
        if response.status_code in RETRY_STATUSES:
            return FetchError(f"{what}: SCB svarade {response.status_code} även efter {self.retries} nya försök "
                              f"(för många anrop eller för många värden i ett anrop){': ' + detail if detail else ''}")
        return FetchError(f"{what}: SCB svarade {response.status_code}{': ' + detail if detail else ''}")

    def limits(self) -> Limits:
        """The API's limits from ``/config``, never looser than SCB's stated 10 calls / 10 s and
        100 000 values; the stated ones when the API has no config."""
        response = self._request("GET", "config")
        if response.status_code != 200:
            return Limits()
        try:
            config = response.json()
            return Limits(min(int(config.get("maxDataCells", MAX_VALUES)), MAX_VALUES),
                          min(int(config.get("maxCallsPerTimeWindow", MAX_CALLS)), MAX_CALLS),
                          max(float(config.get("timeWindow", WINDOW_SECONDS)), WINDOW_SECONDS))
        except (ValueError, TypeError, AttributeError):
            return Limits()

    def metadata(self, table_id: str) -> dict:
        """The table's metadata document (JSON-stat 2)."""
        response = self._request("GET", f"tables/{table_id}/metadata",
                                 params={"lang": LANGUAGE, "outputFormat": "json-stat2"})
        if response.status_code == 404:
            raise FetchError(f"SCB har ingen tabell {table_id!r} ({self.url(f'tables/{table_id}/metadata')} gav 404)")
        if response.status_code != 200:
            raise self._fail(response, f"metadata för {table_id}")
        try:
            return response.json()
        except ValueError:
            raise FetchError(f"metadata för {table_id}: svaret är inte JSON") from None

    def data_url(self, table_id: str) -> str:
        return self.url(f"tables/{table_id}/data") + f"?lang={LANGUAGE}&outputFormat=json-stat2"

    def data(self, table_id: str, body: dict) -> bytes:
        """One data call; the response's bytes unchanged (checked to be a JSON-stat 2 dataset)."""
        response = self._request("POST", f"tables/{table_id}/data",
                                 params={"lang": LANGUAGE, "outputFormat": "json-stat2"}, json=body)
        if response.status_code == 404:
            raise FetchError(f"SCB har ingen tabell {table_id!r} ({self.data_url(table_id)} gav 404)")
        if response.status_code != 200:
            raise self._fail(response, f"data ur {table_id}")
        try:
            doc = json.loads(response.content)
        except ValueError:
            raise FetchError(f"data ur {table_id}: svaret är inte JSON") from None
        if not isinstance(doc, dict) or doc.get("class") != "dataset" or "value" not in doc:
            raise FetchError(f"data ur {table_id}: svaret är inte ett JSON-stat 2-dataset")
        return response.content


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header given in seconds (the HTTP-date form is not used by PxWeb)."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def download(client: Client, table: Table, selection: dict[str, list[str]], max_values: int) -> list[tuple[dict, bytes]]:
    """Ask for ``selection`` in as many calls as the value limit needs: ``[(body, response bytes), …]``."""
    out = []
    for part in split(selection, max_values):
        body = query_body(part)
        out.append((body, client.data(table.id, body)))
    return out

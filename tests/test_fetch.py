"""`evalkit fetch` against SCB's real recorded answers, served by a local PxWeb API v2.

The answers (tests/fixtures/scb, SCB data, CC0; see the README there) are served by pytest-httpserver,
so the real client runs end to end: metadata, query building, splitting below the value limit, the
rate limiter, retries, the files and their sidecars, sources.csv, and `evalkit clean` reading the
result. The server keeps the API's rules: it counts calls and refuses (429) one that would be the
eleventh in 10 seconds, refuses (403) a data call above its value limit, and can answer 429 once.
Server and client share a fake clock whose sleep moves it on, so no test waits for real.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from werkzeug import Request, Response

from evalkit import cli, fetch, paths, pxweb

FIXTURES = Path(__file__).parent / "fixtures" / "scb" / "api" / "v2"
RECORDED = {
    ("TAB638", "metadata"): "tables/TAB638/metadata-f01ece.json",
    ("TAB638", "data"): "tables/TAB638/data-35e0e2-5aec69-POST.json",
    ("TAB5974", "metadata"): "tables/TAB5974/metadata.json",
    ("TAB5974", "data"): "tables/TAB5974/data-35e0e2-fb7f17-POST.json",
}
#: The question the TAB638 data answer was recorded for (SCB's codes, as its JSON-stat says).
TAB638_SELECT = ["Region=00", "Civilstand=OG", "Alder=0", "Kon=1", "ContentsCode=BE0101N1"]
TAB638_VALUE = 50937  # folkmängd, Riket, ogifta, 0 år, män, 2024 (the recorded "value")
TAB5974_VALUES = {"1": 50080, "2": 47361}  # män, kvinnor; inrikes och utrikes födda, 0 år, 2026


class FakeClock:
    """Seconds that pass only when someone sleeps."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class RecordedPxWeb:
    """A PxWeb API v2 answering from the recorded SCB responses (sub-cubes of them when asked for less)."""

    def __init__(self, httpserver, clock: FakeClock, max_values: int = 150_000, calls: int = 10, window: float = 10.0):
        self.clock, self.max_values, self.calls, self.window = clock, max_values, calls, window
        self.log: list[tuple[float, str, str, int]] = []  # time, method, path, status
        self.fail_next = 0          # answer this many calls with 429 (Retry-After: retry_after)
        self.retry_after: str | None = None
        self.revised: dict[str, dict[int, int]] = {}  # table -> {position in the recorded value: new value}
        self.fail_first_data = False  # answer the first data call with 429 (Retry-After: 0)
        httpserver.expect_request(re.compile(r"^/api/v2/.*")).respond_with_handler(self.handle)
        self.api = httpserver.url_for("/api/v2")

    # -- what the tests look at
    def refused(self, status: int) -> list[int]:
        """Call numbers (1-based) that got ``status``."""
        return [i for i, entry in enumerate(self.log, start=1) if entry[3] == status]

    def most_in_any_window(self) -> int:
        times = [t for t, *_ in self.log]
        return max((sum(1 for u in times if t - self.window < u <= t) for t in times), default=0)

    # -- the API
    def handle(self, request: Request) -> Response:
        now = self.clock()
        recent = sum(1 for t, *_ in self.log if t > now - self.window)
        path = request.path[len("/api/v2/"):]
        if recent >= self.calls:
            return self._answer(now, request, 429, {"error": "too many calls"})
        if self.fail_next:
            self.fail_next -= 1
            headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            return self._answer(now, request, 429, {"error": "slow down"}, headers)
        if self.fail_first_data and path.endswith("/data"):
            self.fail_first_data = False
            return self._answer(now, request, 429, {"error": "slow down"}, {"Retry-After": "0"})
        if path == "config" and request.method == "GET":
            return self._answer(now, request, 200, (FIXTURES / "config.json").read_bytes())
        match = re.fullmatch(r"tables/([^/]+)/(metadata|data)", path)
        if not match or (match.group(1), match.group(2)) not in RECORDED:
            return self._answer(now, request, 404, {"error": f"no table {path}"})
        table, what = match.groups()
        if what == "metadata" and request.method == "GET":
            return self._answer(now, request, 200, (FIXTURES / RECORDED[(table, what)]).read_bytes())
        if what == "data" and request.method == "POST":
            assert request.args.get("outputFormat") == "json-stat2"
            status, body = self._data(table, json.loads(request.get_data()))
            return self._answer(now, request, status, body)
        return self._answer(now, request, 405, {"error": "method"})

    def _answer(self, now, request, status, body, headers=None) -> Response:
        self.log.append((now, request.method, request.path, status))
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return Response(data, status=status, headers=headers or {}, content_type="application/json")

    def _data(self, table: str, query: dict) -> tuple[int, bytes | dict]:
        """The recorded answer itself when the whole recorded cube is asked for, else the sub-cube."""
        recorded = (FIXTURES / RECORDED[(table, "data")]).read_bytes()
        doc = json.loads(recorded)
        wanted = {s["variableCode"]: s["valueCodes"] for s in query["selection"]}
        if set(wanted) - set(doc["id"]):
            return 400, {"error": f"unknown variable {sorted(set(wanted) - set(doc['id']))}"}
        keep = []
        for dim in doc["id"]:
            index = doc["dimension"][dim]["category"]["index"]
            codes = sorted(index, key=index.get)
            if dim in wanted:
                if not set(wanted[dim]) <= set(codes):
                    return 400, {"error": f"{dim}: not recorded"}
                keep.append([c for c in codes if c in wanted[dim]])
            elif len(codes) == 1:  # eliminated: the recorded answer holds its elimination value
                keep.append(codes)
            else:
                return 400, {"error": f"{dim} must be selected"}
        if math.prod(map(len, keep)) > self.max_values:
            return 403, {"error": "too many cells"}
        full = all(len(k) == n for k, n in zip(keep, doc["size"]))
        if full and table not in self.revised:
            return 200, recorded
        values = list(doc["value"])
        for position, value in self.revised.get(table, {}).items():
            values[position] = value
        out = copy.deepcopy(doc)
        sizes, positions = doc["size"], []
        for combo in itertools.product(*keep):
            flat = 0
            for dim, code, size in zip(doc["id"], combo, sizes):
                flat = flat * size + doc["dimension"][dim]["category"]["index"][code]
            positions.append(flat)
        for dim, codes in zip(doc["id"], keep):
            category = out["dimension"][dim]["category"]
            category["index"] = {c: i for i, c in enumerate(codes)}
            category["label"] = {c: category["label"][c] for c in codes}
        out["size"] = [len(k) for k in keep]
        out["value"] = [values[p] for p in positions]
        return 200, json.dumps(out, ensure_ascii=False, indent=4).encode()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def server(httpserver, clock):
    return RecordedPxWeb(httpserver, clock)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root of its own (a copy of data/raw), so fetching never touches the session's copy."""
    root = tmp_path / "project"
    shutil.copytree(paths.raw_dir(), root / "data" / "raw")
    (root / "data" / "processed").mkdir()
    monkeypatch.setenv("EVALKIT_ROOT", str(root))
    return root


def client_for(server: RecordedPxWeb, clock: FakeClock, **limiter) -> pxweb.Client:
    return pxweb.Client(server.api, limiter=pxweb.RateLimiter(clock=clock, sleep=clock.sleep, **limiter),
                        sleep=clock.sleep)


def fetch_args(server, *extra):
    select = [x for s in TAB638_SELECT for x in ("--select", s)]
    return ["fetch", "scb", "TAB638", "--api", server.api, "--indicator", "folkmangd", *select, "--years", "2024",
            *extra]


# --------------------------------------------------------------------------- the whole way


@pytest.mark.slow
def test_fetch_tab638_writes_the_answer_and_its_provenance_and_clean_reads_its_value(server, project, capsys):
    """Done when: `evalkit fetch scb TAB638 --api …` writes the file and its sidecar, and `evalkit clean`
    reads it with the value of the response. The server answers the first data call with 429 once."""
    server.fail_first_data = True  # config and metadata (calls 1–2) go through; the data call gets 429 once
    assert cli.main(fetch_args(server)) == 0
    out = capsys.readouterr().out
    raw = project / "data" / "raw"
    path = raw / "scb" / "scb_tab638_folkmangd.json"
    recorded = (FIXTURES / RECORDED[("TAB638", "data")]).read_bytes()
    assert path.read_bytes() == recorded  # the response, byte for byte
    assert "ny rad i sources.csv" in out and "1 nya försök" in out
    assert server.refused(429) == [3]  # the data call, once; then asked again
    prov = json.loads((raw / "scb" / "scb_tab638_folkmangd.json.fetch.json").read_text(encoding="utf-8"))
    assert prov["api"] == server.api and prov["table"] == "TAB638" and prov["method"] == "POST"
    assert prov["url"] == server.api + "/tables/TAB638/data?lang=sv&outputFormat=json-stat2"
    assert prov["query"] == {"selection": [
        {"variableCode": "Region", "valueCodes": ["00"]}, {"variableCode": "Civilstand", "valueCodes": ["OG"]},
        {"variableCode": "Alder", "valueCodes": ["0"]}, {"variableCode": "Kon", "valueCodes": ["1"]},
        {"variableCode": "ContentsCode", "valueCodes": ["BE0101N1"]}, {"variableCode": "Tid", "valueCodes": ["2024"]}]}
    assert prov["updated"] == "2025-02-21T07:00:00Z"  # the table's metadata
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", prov["retrieved"])
    assert prov["sha256"] == hashlib.sha256(recorded).hexdigest()
    assert prov["licence"].startswith("CC0") and prov["indicator"] == "folkmangd"
    assert prov["contents"] == {"BE0101N1": {"label": "Folkmängd", "unit": "antal personer"}}
    assert (prov["part"], prov["parts"], prov["values"]) == (1, 1, 1)
    listed = pd.read_csv(raw / "sources.csv", dtype=str, keep_default_na=False)
    row = listed[listed["path"] == "scb/scb_tab638_folkmangd.json"]
    assert len(row) == 1 and row["kind"].iloc[0] == "indicators" and "TAB638" in row["description"].iloc[0]

    capsys.readouterr()
    assert cli.main(["clean"]) == 0  # `evalkit clean` on this project (EVALKIT_ROOT), the whole way
    assert "scb/scb_tab638_folkmangd.json: lästa 1, behållna 1, undantagna 0 (stämmer)" in capsys.readouterr().out
    tidy = pd.read_parquet(project / "data" / "processed" / "indicators.parquet")
    got = tidy[(tidy["area_code"] == "riket") & (tidy["indicator"] == "folkmangd") & (tidy["year"] == 2024)]
    assert got["value"].tolist() == [TAB638_VALUE]
    assert got["source"].iloc[0].startswith("SCB, Statistikdatabasen TAB638")
    from evalkit.build import datapackage

    entry = next(s for s in datapackage.sources() if s["path"] == "data/raw/scb/scb_tab638_folkmangd.json")
    assert entry["license"].startswith("CC0") and entry["sha256"] == prov["sha256"]
    assert entry["fetched"] == {"api": server.api, "table": "TAB638", "query": prov["query"],
                                "updated": "2025-02-21", "retrieved": prov["retrieved"][:10]}

    # a second fetch of the same series replaces the file and does not list it twice
    assert cli.main(fetch_args(server)) == 0
    listed = pd.read_csv(raw / "sources.csv", dtype=str, keep_default_na=False)
    assert (listed["path"] == "scb/scb_tab638_folkmangd.json").sum() == 1


# --------------------------------------------------------------------------- rate limit and retries


def test_the_limiter_keeps_to_ten_calls_in_ten_seconds_and_the_server_never_refuses(server, clock):
    client = client_for(server, clock)
    table = pxweb.parse_metadata("TAB638", client.metadata("TAB638"))
    for _ in range(24):
        client.metadata("TAB638")
    assert len(server.log) == 25 and server.refused(429) == []
    assert server.most_in_any_window() == 10
    assert clock.slept and abs(sum(clock.slept) - 20.0) < 1e-9  # calls 11 and 21 waited for the window
    assert table.updated == "2025-02-21T07:00:00Z"


def test_without_the_limiter_the_server_refuses_the_eleventh_call_and_the_client_backs_off(server, clock):
    client = client_for(server, clock, calls=1000)
    for _ in range(11):
        client.metadata("TAB638")
    # the eleventh within 10 s is refused; the server counts refused calls too, so the client doubles
    # its pause (2, 4, 8 s) until the window has passed, and is then answered
    assert server.refused(429) == [11, 12, 13]
    assert client.retried == [429, 429, 429] and clock.slept == [2.0, 4.0, 8.0]
    assert server.log[-1][3] == 200 and len(server.log) == 14


def test_a_429_with_retry_after_waits_that_long(server, clock):
    client = client_for(server, clock)
    server.fail_next, server.retry_after = 2, "7"
    assert client.metadata("TAB5974")["id"][0] == "InrikesUtrikes"
    assert clock.slept == [7.0, 7.0] and client.retried == [429, 429]


def test_refusals_that_do_not_stop_end_in_one_line(server, clock):
    client = client_for(server, clock)
    server.fail_next = 100
    with pytest.raises(pxweb.FetchError) as err:
        client.metadata("TAB638")
    assert "429 även efter 5 nya försök" in str(err.value) and "\n" not in str(err.value)
    assert clock.slept == [2.0, 4.0, 8.0, 16.0, 32.0]


# --------------------------------------------------------------------------- value limit


def tab5974_selection(client):
    table = pxweb.parse_metadata("TAB5974", client.metadata("TAB5974"))
    select = {"InrikesUtrikes": ["83"], "Alder": ["0"], "Kon": ["1", "2"], "ContentsCode": ["000005NO"]}
    return table, pxweb.build_selection(table, select, [2026], one_series=False)


def test_a_question_within_the_limit_is_one_call_and_the_recorded_answer_unchanged(server, clock):
    client = client_for(server, clock)
    table, selection = tab5974_selection(client)
    (body, data), = pxweb.download(client, table, selection, max_values=2)
    assert data == (FIXTURES / RECORDED[("TAB5974", "data")]).read_bytes()
    assert body["selection"][2] == {"variableCode": "Kon", "valueCodes": ["1", "2"]}


def test_a_question_over_the_limit_is_split_and_the_parts_hold_exactly_the_recorded_values(server, clock):
    server.max_values = 1  # the server refuses two values in one call
    client = client_for(server, clock)
    table, selection = tab5974_selection(client)
    parts = pxweb.download(client, table, selection, max_values=1)
    assert [b["selection"][2]["valueCodes"] for b, _ in parts] == [["1"], ["2"]]
    docs = [json.loads(d) for _, d in parts]
    got = {next(iter(doc["dimension"]["Kon"]["category"]["index"])): doc["value"] for doc in docs}
    assert got == {kon: [value] for kon, value in TAB5974_VALUES.items()}
    assert server.refused(403) == []


def test_a_call_over_the_servers_value_limit_is_one_line(server, clock):
    server.max_values = 1
    client = client_for(server, clock)
    table, selection = tab5974_selection(client)
    with pytest.raises(pxweb.FetchError) as err:
        pxweb.download(client, table, selection, max_values=2)
    message = str(err.value)
    assert "403" in message and "för många värden" in message and "\n" not in message


@pytest.mark.parametrize("sizes,limit", [((127, 2, 15), 1000), ((127, 30, 40), 100), ((5, 1, 3), 1), ((3, 4), 12)])
def test_split_keeps_every_part_under_the_limit_and_asks_for_each_value_once(sizes, limit):
    selection = {f"d{i}": [f"c{j}" for j in range(n)] for i, n in enumerate(sizes)}
    parts = pxweb.split(selection, limit)
    assert all(pxweb.values_in(p) <= limit for p in parts)
    cells = [c for p in parts for c in itertools.product(*p.values())]
    assert sorted(cells) == sorted(itertools.product(*selection.values()))


# --------------------------------------------------------------------------- the question


def tab638():
    return pxweb.parse_metadata("TAB638", json.loads((FIXTURES / RECORDED[("TAB638", "metadata")]).read_text("utf-8")))


def test_metadata_of_tab638_is_read_with_units_elimination_and_roles():
    table = tab638()
    assert table.ids() == ["Region", "Civilstand", "Alder", "Kon", "ContentsCode", "Tid"]
    assert [len(d.codes) for d in table.dimensions] == [312, 4, 102, 2, 2, 57]
    assert table.region().id == "Region" and table.role("time").id == "Tid"
    assert table.units == {"BE0101N1": "antal personer", "BE0101N2": "antal personer"}
    assert [d.elimination for d in table.dimensions] == [True, True, True, True, False, False]


def test_the_question_leaves_out_what_the_table_lets_sum_and_takes_the_years():
    selection = pxweb.build_selection(tab638(), {"Region": ["0180"], "ContentsCode": ["BE0101N1"]},
                                      list(range(2011, 2021)))
    assert selection == {"Region": ["0180"], "ContentsCode": ["BE0101N1"],
                         "Tid": [str(y) for y in range(2011, 2021)]}


@pytest.mark.parametrize("select,years,needle", [
    ({"ContentsCode": ["BE0101N1"]}, None, "inga RegSO-områden i Stockholm"),
    ({"Region": ["0180"]}, None, "välj tabellinnehåll med --select ContentsCode=KOD"),
    ({"Region": ["0180"], "ContentsCode": ["BE0101N1"], "Kommun": ["1"]}, None, "ingen dimension 'Kommun'"),
    ({"Region": ["0180"], "ContentsCode": ["BE0101N9"]}, None, "ingen kod 'BE0101N9'"),
    ({"Region": ["0180"], "ContentsCode": ["BE0101N1"]}, [1950, 1951], "inga av åren 1950–1951"),
    ({"Region": ["0180"], "ContentsCode": ["BE0101N1"], "Kon": ["1", "2"]}, None, "en hämtning ger en serie"),
])
def test_a_question_the_table_cannot_answer_is_one_line(select, years, needle):
    with pytest.raises(pxweb.FetchError) as err:
        pxweb.build_selection(tab638(), select, years)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_a_regso_table_is_asked_for_every_regso_in_stockholm_and_read_through_the_regso_key():
    """RegSO codes are not in the recorded tables: the real TAB638 metadata with its Region codes
    replaced by Stockholm's RegSO (and two elsewhere) checks the pattern and the reading instruction."""
    from evalkit.io import regso

    doc = json.loads((FIXTURES / RECORDED[("TAB638", "metadata")]).read_text("utf-8"))
    codes = list(regso.regso_table()["regso_2020_code"]) + ["0181R001", "0180C1010"]
    doc["dimension"]["Region"]["category"] = {"index": {c: i for i, c in enumerate(codes)},
                                              "label": {c: c for c in codes}}
    table = pxweb.parse_metadata("TABX", doc)
    selection = pxweb.build_selection(table, {"ContentsCode": ["BE0101N1"]}, [2020])
    assert selection["Region"] == list(regso.regso_table()["regso_2020_code"])  # 127, in Stockholm only
    assert pxweb.build_selection(table, {"ContentsCode": ["BE0101N1"]}, [2020], level="deso")["Region"] == ["0180C1010"]
    side = fetch.reading_instruction(table, "folkmangd_scb", selection, "regso", "2026-01-01T00:00:00Z")
    assert (side["area_type"], side["level"], side["area_labels"]) == ("regso", "stadsdel", False)


# --------------------------------------------------------------------------- errors on the command line


def test_errors_are_one_line_on_the_command_line(server, project, capsys):
    cases = [
        (["fetch", "scb", "TAB999", "--api", server.api, "--indicator", "folkmangd"], "SCB har ingen tabell 'TAB999'"),
        (["fetch", "scb", "TAB5974", "--api", server.api, "--indicator", "folkmangd"], "ingen områdesdimension"),
        (fetch_args(server, "--select", "Kommun=0180"), "ingen dimension 'Kommun'"),
        (["fetch", "scb", "TAB638", "--api", server.api, "--indicator", "finns_inte"], "finns inte i indicators.csv"),
        (["fetch", "scb", "TAB638", "--api", "http://127.0.0.1:9/api/v2", "--indicator", "folkmangd"],
         "ingen förbindelse med http://127.0.0.1:9/api/v2"),
        (fetch_args(server, "--years", "tjugo"), "--years 'tjugo'"),
        (["fetch", "scb", "--refresh", "--api", server.api], "inga hämtade filer"),
    ]
    for argv, needle in cases:
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("fel: ") and needle in err, err
    assert not list((project / "data" / "raw" / "scb").glob("scb_*"))  # nothing written by a failed fetch


# --------------------------------------------------------------------------- refresh


def test_refresh_shows_the_changed_value_before_replacing(server, project, capsys):
    assert cli.main(fetch_args(server)) == 0
    path = project / "data" / "raw" / "scb" / "scb_tab638_folkmangd.json"
    before = path.read_bytes()
    capsys.readouterr()
    assert cli.main(["fetch", "scb", "--refresh"]) == 0  # the recorded API, as the sidecar says
    assert "oförändrad" in capsys.readouterr().out and path.read_bytes() == before

    server.revised["TAB638"] = {0: 50941}  # SCB revises the value
    assert cli.main(["fetch", "scb", "TAB638", "--refresh", "--dry-run"]) == 0
    shown = capsys.readouterr().out
    assert "1 celler ändrade" in shown and "Riket, Folkmängd, 2024, value: 50 937 → 50 941 (changed)" in shown
    assert path.read_bytes() == before and "ersatt" not in shown

    assert cli.main(["fetch", "scb", "--refresh"]) == 0
    shown = capsys.readouterr().out
    assert shown.index("50 937 → 50 941") < shown.index("ersatt")
    assert json.loads(path.read_bytes())["value"] == [50941]
    prov = json.loads(path.with_name(path.name + ".fetch.json").read_text(encoding="utf-8"))
    assert prov["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- method page and data package


def test_the_method_page_and_data_package_name_table_query_and_retrieval_date(server, project):
    from evalkit.present import method

    assert method.fetched_table() is None  # nothing fetched: nothing shown
    assert cli.main(fetch_args(server)) == 0
    shown = method.fetched_table().frame
    assert shown.to_dict("records") == [{
        "Fil": "data/raw/scb/scb_tab638_folkmangd.json", "Tabell": "TAB638", "Indikator": "folkmangd",
        "Fråga": "Region=00; Civilstand=OG; Alder=0; Kon=1; ContentsCode=BE0101N1; Tid=2024",
        "SCB uppdaterade": "2025-02-21", "Hämtad": json.loads(
            (project / "data/raw/scb/scb_tab638_folkmangd.json.fetch.json").read_text("utf-8"))["retrieved"][:10]}]
    licences = method.sources_table().frame.set_index("Fil")["Licens"]
    assert licences["data/raw/scb/scb_tab638_folkmangd.json"].startswith("CC0")


def test_the_fetched_file_is_read_with_the_tables_notes_and_the_label_of_its_source(server, project):
    from evalkit.io.formats import read_with_quarantine

    assert cli.main(fetch_args(server)) == 0
    result = read_with_quarantine(project / "data" / "raw" / "scb" / "scb_tab638_folkmangd.json")
    assert result.data[["area_code", "indicator", "year", "value", "unit"]].values.tolist() == [
        ["riket", "folkmangd", 2024, float(TAB638_VALUE), "antal"]]
    assert any(n.startswith("note: Fr o m 2007-01-01 överförs Heby kommun") for n in result.notes)
    assert result.data["source"].iloc[0].startswith(
        "SCB, Statistikdatabasen TAB638: Folkmängden efter region, civilstånd, ålder och kön.")


def test_parts_of_an_earlier_fetch_of_the_same_series_stop_the_fetch_before_any_data_call(server, project, capsys):
    old = project / "data" / "raw" / "scb" / "scb_tab638_folkmangd_del2.json"
    old.write_bytes(b"{}")
    assert cli.main(fetch_args(server)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "scb_tab638_folkmangd_del2.json kommer från en tidigare hämtning" in err
    assert not any(path.endswith("/data") for _, _, path, _ in server.log)
    assert not (project / "data" / "raw" / "scb" / "scb_tab638_folkmangd.json").exists()


def test_the_limiter_waits_only_when_ten_calls_are_already_in_the_window():
    """Irregular call times (seeded): never more than 10 calls in any 10 s, and a call waits exactly
    until the oldest of the last 10 leaves the window (within the limiter's 1 ms floor) – never when
    fewer than 10 are in it."""
    import random

    rng = random.Random(20150101)
    clock = FakeClock()
    limiter = pxweb.RateLimiter(clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(300):
        clock.now += rng.choice([0.0, 0.0, 0.3, 1.1, 4.0])  # work between calls
        before = clock.now
        in_window = sum(1 for t in times if t > before - 10.0)
        limiter.wait()
        waited = clock.now - before
        expected = max(0.0, times[-10] + 10.0 - before) if in_window >= 10 else 0.0
        assert abs(waited - expected) <= 1e-3 + 1e-9 and (waited == 0.0) == (in_window < 10)
        times.append(clock.now)
    assert max(sum(1 for u in times if t - 10.0 < u <= t) for t in times) == 10

"""The method and data page: every indicator, goal, rule, source and licence, from the data files."""

from __future__ import annotations

import re

import pandas as pd

from evalkit import programme
from evalkit.programme import DISCLOSURE_THRESHOLD, PUBLICATIONS_KEPT, SCHOOL_SUPPRESSION_LIMIT
from evalkit.analysis import index as risk_index
from evalkit.paths import raw_dir
from evalkit.present import format as fmt
from evalkit.present import tables

DIRECTIONS_SV = {"increase": "ska öka", "decrease": "ska minska", "at_least_reference": "minst rikets nivå"}
KIND_SV = {"andel": "andel (täljare/nämnare × 100)", "kvot": "kvot per 1 000 invånare", "medel": "medelvärde (täljare/nämnare)",
           "antal": "antal", "index": "index"}
RISK_WHEN_SV = {"high": "högt värde = risk", "low": "lågt värde = risk (komplement 1 − andel)"}


def indicator_table(tidy: pd.DataFrame | None = None) -> tables.HtmlTable:
    """All indicators of the catalogue with unit, kind, definition and origin – the origin from the
    data (:func:`origin_sv`: which years are real and from which source), not from the catalogue."""
    cat = programme.indicator_catalogue()
    if tidy is None:
        from evalkit import data

        tidy = data.published_tidy()[0]
    frame = pd.DataFrame({
        "Indikator": cat["label_sv"],
        "Id": cat["indicator"],
        "Enhet": cat["unit"],
        "Typ": cat["kind"].map(KIND_SV).fillna(cat["kind"]),
        "Definition": cat["description_sv"],
        "Ursprung": [origin_sv(tidy, ind, fallback) for ind, fallback in zip(cat["indicator"], cat["origin"])],
    })
    return tables.table(frame, "Indikatorer")


def origin_sv(tidy: pd.DataFrame, indicator: str, fallback: str = "..") -> str:
    """Where an indicator's values come from, per year, from the table's ``origin`` column:
    "Demodata", "Verkliga uppgifter (källa)" or "Verkliga uppgifter 2020 (källa); övriga år
    demodata". Sources are named as the rows name them (evalkit's own derivations left out).
    ``fallback`` (the catalogue's word) when the table has no value of the indicator."""
    from evalkit import origin
    from evalkit.present.page import years_sv

    rows = tidy[(tidy["indicator"] == indicator) & tidy["value"].notna()]
    if rows.empty:
        return fallback
    real = rows[origin.column(rows) == origin.REAL]
    if real.empty:
        return "Demodata"
    parts = [p.strip() for src in sorted(set(real["source"].astype(str))) for p in src.split("; ")]
    supplied = [p for p in parts if p and not p.startswith("evalkit")]
    sources = "; ".join(dict.fromkeys(supplied or [p for p in parts if p]))  # derived only: say how
    named = f" ({sources})" if sources else ""
    if len(real) == len(rows):
        return f"Verkliga uppgifter{named}"
    return f"Verkliga uppgifter {years_sv(real['year'].unique())}{named}; övriga år demodata"


def goal_table() -> tables.HtmlTable:
    """Every goal of the programme with its boards and the indicators that follow it up."""
    goals = programme.goals()
    links = programme.goal_indicators()
    cat = programme.indicator_catalogue().set_index("indicator")
    from evalkit.present.goals import REFERENCE_SV

    direction = links["direction"].map(DIRECTIONS_SV)
    # A level goal names its own reference (riket for the school goal, övriga staden for 2.3 and 2.4).
    level = links["direction"] == "at_least_reference"
    direction = direction.where(~level, "minst i nivå med " + links["reference_area"].map(lambda c: REFERENCE_SV.get(c, c)))
    linked = links.assign(text=links["indicator"].map(cat["label_sv"]) + " (" + direction + ")")
    by_goal = linked.groupby("goal_id", sort=False)["text"].agg("; ".join)
    frame = pd.DataFrame({
        "Mål": goals["goal_number"].where(goals["goal_number"] != "", "Målsättning").fillna("Målsättning"),
        "Målområde": goals["malomrade_label_sv"],
        "Måltext": goals["text_sv"],
        "Ansvariga (huvudansvarig först)": goals["responsible"],
        "Uppföljningsansvar": goals["follow_up"],
        "Indikator och riktning": goals["goal_id"].map(by_goal).fillna(".."),
    })
    return tables.table(frame, "Programmets mål och evalkits indikatorer")


def index_config_table() -> tables.HtmlTable:
    """Indicators, domains, weights and reversal rule of the social risk index."""
    config = risk_index.load_index_config()
    cat = programme.indicator_catalogue().set_index("indicator")
    frame = pd.DataFrame({
        "Indikator": config["indicator"].map(cat["label_sv"]),
        "Huvudområde": config["domain_label_sv"],
        "Vikt": config["weight"].map(lambda w: fmt.number_exact(w, 4)),
        "Riktning": config["risk_when"].map(RISK_WHEN_SV),
    })
    return tables.table(frame, "Index för sociala risker: indikatorer och vikter (evalkits val)")


_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")


def sources_table() -> tables.HtmlTable:
    """Input files with source and licence, read from the tables in data/raw's README files."""
    records = []
    for readme in sorted(raw_dir().rglob("README.md")):
        folder = readme.parent.relative_to(raw_dir())
        for line in readme.read_text(encoding="utf-8").splitlines():
            match = _ROW.match(line.strip())
            if not match:
                continue
            cells = [c.strip() for c in match.group(2).split("|")]
            if len(cells) < 3:
                continue
            name = match.group(1)
            path = name if "/" in name or str(folder) == "." else f"{folder}/{name}"
            source, licence = cells[-2], cells[-1]
            if source.lower() in ("same", "samma", "") and records:  # "same" as the row above
                source = records[-1]["Källa"]
            records.append({"Fil": f"data/raw/{path}", "Källa": source, "Licens": licence})
    for row in _fetched().itertuples(index=False):  # files `evalkit fetch` wrote: source and licence in their sidecar
        records.append({"Fil": f"data/raw/{row.path}", "Källa": f"SCB, Statistikdatabasen {row.table} (API)",
                        "Licens": row.licence})
    frame = pd.DataFrame(records).drop_duplicates("Fil")
    # every file `evalkit clean` reads is named, with its origin, also when no README describes it
    from evalkit import clean

    listed = clean.listing(raw_dir())
    listed = listed.assign(Fil="data/raw/" + listed["path"])
    described = listed.set_index("Fil")["description"]
    missing = listed[~listed["Fil"].isin(frame["Fil"])]
    frame = pd.concat([frame, pd.DataFrame({
        "Fil": missing["Fil"], "Källa": missing["description"],
        "Licens": missing["origin"].map({"demo": "syntetiska demodata (evalkit)"}).fillna("se data/raw/README.md")})],
        ignore_index=True)
    ursprung = frame["Fil"].map(listed.set_index("Fil")["origin"]).map({"real": "verkliga uppgifter",
                                                                         "demo": "demodata"})
    frame["Källa"] = frame["Källa"].where(frame["Källa"].astype(str) != "", frame["Fil"].map(described))
    frame["Ursprung (sources.csv)"] = ursprung.fillna("–")
    return tables.table(frame, "Indata: källor och licenser")


def _fetched() -> pd.DataFrame:
    from evalkit import fetch

    return fetch.series_table(raw_dir())


def fetched_table() -> tables.HtmlTable | None:
    """Every series `evalkit fetch` took from SCB's API: file, table, query, SCB's update and the
    retrieval date (from the ``.fetch.json`` beside each file); None when nothing was fetched."""
    fetched = _fetched()
    if fetched.empty:
        return None
    frame = pd.DataFrame({"Fil": "data/raw/" + fetched["path"], "Tabell": fetched["table"],
                          "Indikator": fetched["indicator"], "Fråga": fetched["query"],
                          "SCB uppdaterade": fetched["updated"], "Hämtad": fetched["retrieved"]})
    return tables.table(frame, "Hämtat ur SCB:s API (evalkit fetch): tabell, fråga och hämtningsdatum")


def index_method_sv() -> str:
    """How the social risk index is built, which of its parts are evalkit's choice, and which
    reference each comparison uses (indicators named from the index configuration)."""
    from evalkit import results
    from evalkit.analysis import robustness
    from evalkit.present import risk
    from evalkit.present.format import number, percent

    config = risk_index.load_index_config()
    labels = programme.indicator_catalogue().set_index("indicator")["label_sv"]
    names = [labels.get(i, i).lower() for i in config["indicator"]]
    listed = ", ".join(names[:-1]) + " och " + names[-1] if len(names) > 1 else names[0]
    band = risk.band_label_sv()
    return (
        f"Indexet för sociala risker är byggt efter den modell programmet hänvisar till "
        f"(Västra Götalandsmodellen), med {number(config['domain'].nunique())} huvudområden: "
        f"{', '.join(dict.fromkeys(config['domain_label_sv'].str.lower()))}. Vilka indikatorer som ingår är "
        f"däremot evalkits val, inte programmets: alla {number(len(names))} ({listed}), liksom hur de "
        "fördelas på huvudområdena, deras vikter och vändningsregeln (tabellen nedan). Indexets nivåer är "
        "därför inte direkt jämförbara med de indexvärden programmet redovisar. Varje indikator räknas som kvot mot staden gånger 100 enligt "
        "metoden avstånd till referens i OECD/JRC:s handbok för sammansatta indikatorer: områdets andel "
        "(täljare/nämnare) delat med stadens andel. För indikatorer där ett högt värde är bra "
        "(förvärvsfrekvens, behörighet) används komplementet (1 − andelen), så att ett högre värde alltid "
        "betyder högre risk. Ett huvudområdes värde är det viktade medelvärdet av dess indikatorer och "
        "totalindexet medelvärdet av huvudområdena. "
        "Med rörlig referens är staden 100 varje år; det visar var ett område ligger i förhållande till "
        "staden samma år och används för jämförelser mellan områden och för rangordningen. Med fast "
        f"referens är staden {risk_index.DEFAULT_BASE_YEAR} (programmets basår) = 100 för alla år; det visar "
        "om riskerna ökat eller minskat och används där rapporterna jämför år (indexets utveckling i "
        "stadsdelsrapporterna). "
        f"Rangordningen anges med ett {band}: rangerna mellan vilka {percent(100 * robustness.COVERAGE, 0)} av "
        f"{number(results.RANK_SETTINGS['n_boot'])} omräkningar hamnar, där "
        "varje omräkning drar nya antal (slumpvariation) och ett slumpvis metodval (vikter, medelvärde, "
        "en indikator utelämnad). Bara områden med ett fullständigt publicerat index rangordnas, i varje "
        "omräkning, så en rang ligger alltid mellan 1 och antalet rangordnade områden."
    )


AGGREGATION_SV = (
    "Stadsdelsområden, programområdena (de 21 stadsdelarna), övriga staden och hela staden räknas fram "
    "som summan av täljare delad med summan av nämnare – aldrig som medelvärde av stadsdelarnas andelar. "
    "Stadsdelsområden avser indelningen 2007–juni 2020 (14 stadsdelsområden), som programmet bygger på."
)


def disclosure_sv(figures: dict, threshold: int = DISCLOSURE_THRESHOLD) -> str:
    """Plain Swedish on what is hidden and why, with the audit's figures (from `evalkit clean`)."""
    from evalkit.present.format import number

    logged = figures.get("log_rows", {})
    return (
        f"Inga antal under {threshold} visas, och inget dolt antal ska kunna räknas fram. Primärt döljs "
        f"varje antal personer (eller bostäder, elever, svarande) från 1 till {threshold - 1} – täljare, "
        "nämnare och antal, i stadsdelar såväl som i summor – och täljaren i en andel där antalet utan "
        f"egenskapen (nämnare − täljare) är 1–{threshold - 1}. Samma storhet döljs överallt där den "
        "förekommer: en dold folkmängd döljs också som nämnare för andra indikatorer. Sekundärt döljs "
        "fler uppgifter, så att ett dolt antal inte kan räknas fram ur summorna för stadsdelsområden, "
        "programområdet, övriga staden och staden, ur andra indikatorer eller ur att en täljare aldrig "
        "är större än sin nämnare. Sammanvägda värden (index för sociala risker, variation av "
        "upplåtelseformer) och rangordningar räknas bara på publicerade uppgifter och visas som x där "
        "en ingående uppgift är dold. Till sist prövas allt som publiceras som en inkräktare skulle "
        "göra: för varje dold uppgift räknas med linjär programmering fram det intervall som de "
        f"publicerade talen tillåter. Regeln är att varje dolt litet antal har ett intervall som är "
        f"minst {threshold} brett och att ingen dold uppgift går att bestämma exakt. I den här "
        f"versionen är {number(figures['cells_hidden'])} av {number(figures['cells'])} uppgifter dolda "
        f"({number(logged.get('primary', 0))} primärt, {number(logged.get('secondary', 0))} sekundärt, "
        f"{number(logged.get('composite', 0))} sammanvägda värden); smalaste intervallet för ett dolt "
        f"litet antal är {number(figures['narrowest_small_interval'])}, och granskningen fann "
        f"{number(figures['breaches_exact'] + figures['breaches_narrow'] + figures['breaches_complement'] + figures['breaches_published_small'] + figures['breaches_composite'])} brott mot regeln."
        + _without_counts_sv(figures.get("values_without_counts", 0))
    )


def _without_counts_sv(n: int) -> str:
    """The audit's word on values published without numerator and denominator (none: nothing)."""
    from evalkit.present.format import number

    if not n:
        return ""
    return (f" {number(n)} värden kommer från källor som bara anger andelen eller kvoten, utan täljare och "
            "nämnare: för dem publiceras inget antal, så där finns inget att dölja och inget för en "
            "inkräktare att räkna fram. Stadsdelsområden, programområdena, övriga staden och staden "
            "beräknas inte ur dem (.), eftersom ett områdes andel inte är ett medelvärde av dess delars andelar.")


def audit_scope_sv(figures: dict, kept: int = PUBLICATIONS_KEPT, threshold: int = DISCLOSURE_THRESHOLD,
                   school_limit: int = SCHOOL_SUPPRESSION_LIMIT) -> str:
    """What the intruder's audit covers – this publication and the last ``kept`` – and what it does not."""
    from evalkit.present.format import number

    earlier = int(figures.get("earlier_publications", 0))
    held = ("ingen tidigare publicering fanns" if earlier == 0 else
            f"{number(earlier)} tidigare {'publicering' if earlier == 1 else 'publiceringar'} ingick")
    return (
        f"Vad granskningen täcker: den här publiceringen tillsammans med de {number(kept)} senaste som "
        f"`evalkit publish` har gjort från det här projektet (i den här versionen: {held}). En inkräktare "
        "kan ha sparat en tidigare webbplats, så en uppgift som inte har ändrats sedan dess räknas som känd "
        "om någon av dem visade den, och de tidigare publiceringarnas summor läggs till; en sen rättelse av "
        "en enda uppgift kan därför göra att fler uppgifter döljs. Skolresultat och enkätsvar granskas på "
        "samma sätt: en andel med en decimal och en bas under 1 000 ger antalet exakt, så en andel döljs när "
        f"antalet elever som klarade eller inte klarade, eller svarande som instämde eller inte, är 1–"
        f"{threshold - 1}, när basen själv döljs (då visas inte heller konfidensintervallet) och när en summa "
        "annars skulle avslöja den (alla elever = nyanlända + övriga, stadsdelsområdet = dess stadsdelar); "
        f"Skolverkets regel att inte redovisa grupper med färre än {school_limit} elever gäller också. "
        f"Granskningen täcker inte: publiceringar äldre än de {number(kept)} senaste, publiceringar som inte "
        "gjorts med `evalkit publish` här (kopior, utdrag eller tabeller som lämnats ut på annat sätt) och "
        "annat som en inkräktare kan veta (andra myndigheters tabeller, kunskap om enskilda personer)."
    )


def disclosure_table(figures: dict) -> tables.HtmlTable:
    """The audit's figures as a table (numbers as text, so nbval compares them)."""
    logged = figures.get("log_rows", {})
    rows = [
        ("Uppgifter (täljare, nämnare och antal) i tabellen", figures["cells"]),
        ("Dolda uppgifter", figures["cells_hidden"]),
        ("– varav primärt (små antal och små komplement)", logged.get("primary", 0)),
        ("– varav sekundärt (för att skydda de primära)", logged.get("secondary", 0)),
        ("Dolda sammanvägda värden (index, variation av upplåtelseformer)", logged.get("composite", 0)),
        ("Dolda storheter som granskats", figures["quantities_hidden"]),
        (f"– varav små antal (1–{DISCLOSURE_THRESHOLD - 1})", figures["hidden_small_counts"]),
        ("Smalaste intervall för ett dolt litet antal", figures["narrowest_small_interval"]),
        ("Exakt bestämbara dolda uppgifter", figures["breaches_exact"]),
        ("Dolda små antal med för smalt intervall", figures["breaches_narrow"] + figures["breaches_complement"]),
    ]
    from evalkit.present.format import number

    frame = pd.DataFrame([(label, "–" if n is None else number(n)) for label, n in rows], columns=["Röjandeskydd", "Antal"])
    return tables.table(frame, "Röjandeskydd: dolda uppgifter och granskningen", numeric_columns=("Antal",))


# --- Sections: what one notebook cell of the method page shows --------------------------------

def title_section() -> list:
    """The top of the method page: the demo-data banner and the title."""
    from evalkit import data
    from evalkit.present.page import demo_banner, heading

    return [demo_banner(data.tidy()), heading("Metod och data", 1)]


def goal_section() -> list:
    """The programme's goals and the indicators evalkit follows them with."""
    from evalkit.present.page import heading

    return [heading("Programmets mål och hur de följs upp"), goal_table()]


def status_rule_section() -> list:
    """How goal status is judged (the rule as the code applies it)."""
    from evalkit.present.goals import STATUS_RULE_SV
    from evalkit.present.page import heading, paragraph

    return [heading("Bedömning av måluppfyllelse"), paragraph(STATUS_RULE_SV)]


def indicator_section() -> list:
    """Every indicator of the catalogue."""
    from evalkit.present.page import heading

    return [heading("Indikatorer"), indicator_table()]


def index_section() -> list:
    """How the social risk index is built and aggregated, and its configuration."""
    from evalkit.present.page import heading, paragraph

    return [heading("Index för sociala risker"), paragraph(index_method_sv()), paragraph(AGGREGATION_SV),
            index_config_table()]


def disclosure_section() -> list:
    """What is hidden and why, with the intruder's audit figures (from `evalkit clean`)."""
    from evalkit import data
    from evalkit.present.page import heading, paragraph

    figures = data.disclosure_audit()
    return [heading("Röjandeskydd: vad som döljs och varför"), paragraph(disclosure_sv(figures)),
            paragraph(audit_scope_sv(figures)), disclosure_table(figures)]


def sources_section() -> list:
    """Input files with their sources and licences."""
    from evalkit.present.page import heading

    fetched = fetched_table()
    return [heading("Källor och licenser"), sources_table()] + ([fetched] if fetched is not None else [])


#: Where the site's data package is, relative to the pages (the same as evalkit.build.datapackage.HREF,
#: which present/ may not import; a test keeps the two equal).
DATA_PACKAGE_HREF = "data/datapackage.json"


def data_for_researchers():
    """The section "Data för forskare": what the site's data package holds, with a relative link
    that works offline from the site folder."""
    from evalkit.present.page import Html, _ENV

    text = ("Allt som sidorna visar finns också som ett datapaket (Frictionless Data Package) för R, Stata, "
            "Python och kalkylprogram: den publicerade, röjandeskyddade indikatortabellen, områdena, index för "
            "sociala risker och de numeriska resultaten (effektskattningar, händelsestudie, syntetisk kontroll, "
            "rangintervall och måluppfyllelse), som CSV i UTF-8 med komma som fältavgränsare och punkt som "
            "decimaltecken. Statussymbolerna (.., –, x) står i en egen kolumn och ett tomt fält betyder att "
            "värdet saknas eller är dolt. Varje fält är beskrivet på svenska och engelska i datapackage.json, "
            "som också anger källfilerna med SHA-256, licenser och vilken version och commit av evalkit som "
            "byggde paketet. Hur man läser in paketet och skattar om huvudskattningen finns i docs/researchers.md "
            "i evalkits källkod.")
    html = _ENV.from_string('<p>{{ t }}</p><p><a href="{{ href }}">Datapaketet (datapackage.json)</a></p>').render(
        t=text, href=DATA_PACKAGE_HREF)
    return Html(html, text + f" Datapaketet: {DATA_PACKAGE_HREF}")


def data_section() -> list:
    """"Data för forskare": the site's data package and how to read it."""
    from evalkit.present.page import heading

    return [heading("Data för forskare"), data_for_researchers()]


def glossary_section() -> list:
    """"Ordlista": every word of the pages a reader may not know, in plain Swedish (anchor
    ``ordlista``, so district pages can link here)."""
    from evalkit.present import glossary

    return [glossary.glossary_html(glossary.terms())]

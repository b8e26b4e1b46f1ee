"""The programme as data: goals, evalkit's goal→indicator links and the indicator catalogue.

All files live in ``data/raw/programme/`` (see its ``README.md``):

* ``goals.csv`` – every goal of *Programmet för en sammanhållen stad 2015–2020*, transcribed;
* ``goal_indicators.csv`` – the indicator(s) evalkit follows each goal with (evalkit's choice,
  the programme names none);
* ``indicators.csv`` – the indicator catalogue (label, unit, kind, scale …) and each indicator's
  roles (key figure, overview, map, effect outcome, sensitivities, composite input).

The loaders read with ``dtype=str`` and no NA conversion, so empty cells are ``""`` (except
``scale`` in the catalogue, which is a float with NaN for counts, and its position columns,
nullable integers: see :func:`indicator_catalogue`).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.paths import raw_dir, text_rows

if TYPE_CHECKING:
    import pandas as pd
else:
    class _Pandas:
        """pandas, imported on first use: the constants below are read by the build plan, and a
        no-op `evalkit build` must not pay for importing pandas (~0.5 s) to learn the years."""

        def __getattr__(self, name: str):
            import pandas

            return getattr(pandas, name)

    pd = _Pandas()

# --- Constants: one home for the programme's years, the disclosure threshold and the seeds -------
# Everything that needs one of these imports it from here (the ground floor), so a change is made
# once. Facts of the programme text first, then evalkit's own choices.

#: First and last year of *Programmet för en sammanhållen stad 2015–2020*.
PROGRAMME_START = 2015
PROGRAMME_END = 2020
#: The programme's baseline: the year before it started (goal status, the index's fixed reference).
BASELINE_YEAR = PROGRAMME_START - 1
#: First year of the reports' index comparison and overview (evalkit's choice: a year well before
#: the programme, so the index's development up to it is seen).
INDEX_BASELINE_YEAR = 2012
#: First year of the bundled series and of the goal-indicator trend charts.
FIRST_DATA_YEAR = 2006
#: Counts below this (1–4) are never published (primary suppression, the intruder's audit).
DISCLOSURE_THRESHOLD = 5
#: Skolverket withholds school results for fewer than this many pupils (status ``x``): its rule,
#: not evalkit's disclosure threshold.
SCHOOL_SUPPRESSION_LIMIT = 10
#: Publications `evalkit publish` keeps (the served one and the two before it), and how many an
#: intruder is assumed to hold: the audit in `evalkit clean` protects a release jointly with them.
PUBLICATIONS_KEPT = 3

#: Seeds, one per purpose, so that the same inputs give the same outputs. The effect
#: estimates' permutations and bootstraps and the index's rank bootstrap share one seed.
SEED_RESULTS = 20150101
SEED_DEMO_INDICATORS = 20150101
SEED_DEMO_POPULATION = 20061231
SEED_DEMO_SCHOOLS = 20120601
SEED_DEMO_SURVEYS = 20110901
#: Draws of the randomisation inference and the wild cluster bootstrap (reports and `evalkit effects`).
EFFECT_DRAWS = 999
#: Design effect of the surveys' shares (trygghetsmätningen, medborgarundersökningen) in the goal
#: rule: a share of n respondents is as uncertain as a simple random sample of n / deff. Neither
#: survey publishes its design effect, so this is an assumption, stated: both are weighted to the
#: population by area, age and sex, and with Kish's approximation for weighting,
#: deff = 1 + CV² of the weights (Kish 1992, "Weighting for unequal P_i", J. Off. Stat. 8:183–200),
#: 2.0 corresponds to weights whose standard deviation equals their mean – a cautious value for
#: weights that correct unequal response. Replace it by the survey's own figure when one is known.
SURVEY_DESIGN_EFFECT = 2.0

GOALS_FILE = "goals.csv"
GOAL_INDICATORS_FILE = "goal_indicators.csv"
CATALOGUE_FILE = "indicators.csv"

GOAL_COLUMNS = [
    "goal_id", "malomrade", "malomrade_label_sv", "goal_number", "heading_sv", "text_sv",
    "responsible", "lead_board", "follow_up",
]
GOAL_INDICATOR_COLUMNS = ["goal_id", "indicator", "direction", "reference_area", "rationale_sv"]
CATALOGUE_COLUMNS = ["indicator", "label_sv", "unit", "kind", "scale", "better", "description_sv"]
#: Optional last column of goal_indicators.csv: how the indicator's uncertainty is judged
#: (``survey``: a sample of respondents, tested; ``register`` or empty: complete counts, tolerance).
SAMPLING = ("survey", "register")
DIRECTIONS = ("increase", "decrease", "at_least_reference")


class ProgrammeDataError(ValueError):
    """A programme data file is malformed or refers to something that does not exist."""


def _programme_dir(base: Path | None) -> Path:
    return Path(base) if base is not None else raw_dir() / "programme"


def _contents(paths: list[Path]) -> tuple:
    """``(path, bytes)`` of each file (bytes None when it is missing): the key of the cached readers."""
    return tuple((str(p), p.read_bytes() if p.is_file() else None) for p in paths)


def _cached(fn):
    """Read and validate once per content of the files: the role accessors and the report sections
    ask for these tables many times per report (each parse and check ~10 ms). Keyed on the bytes
    (:func:`_contents`; these files are a few kB), not on size and mtime, which a rewrite of the
    same length within the file system's time-stamp resolution would leave as they were.
    Callers get copies, so none can change what the next one reads."""
    return lru_cache(maxsize=4)(fn)


def _read(path: Path, required: list[str], content: bytes | None = None) -> pd.DataFrame:
    if content is None:
        raise ProgrammeDataError(f"{path}: file not found")
    df = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ProgrammeDataError(f"{path}: missing column(s) {', '.join(missing)}")
    return df


def _where(path: Path, index: int, column: str) -> str:
    # Row numbers as a user sees them in an editor: header is line 1, first data row line 2.
    return f"{path}, row {index + 2} (data row {index + 1}), column '{column}'"


def goals(base: Path | None = None) -> pd.DataFrame:
    """All programme goals in programme order (``goals.csv``), one row per goal.

    Columns: ``goal_id, malomrade, malomrade_label_sv, goal_number, heading_sv, text_sv,
    responsible, lead_board, follow_up``. ``responsible`` lists the boards/companies separated
    by ``"; "`` in printed order; ``lead_board`` is the first of them. The social
    sustainability målområde has no numbered goal: its row has an empty ``goal_number``.
    Goal numbering is as printed (Stadsmiljö och boende has no 3.3).

    ``base`` overrides the folder (default ``raw_dir()/"programme"``).
    """
    return _goals_in(_contents([_programme_dir(base) / GOALS_FILE])).copy()


@_cached
def _goals_in(files: tuple) -> pd.DataFrame:
    (path, content), = files
    path = Path(path)
    df = _read(path, GOAL_COLUMNS, content)
    for i, row in df.iterrows():
        for col in ("goal_id", "malomrade", "text_sv", "lead_board"):
            if not row[col].strip():
                raise ProgrammeDataError(f"{_where(path, i, col)}: empty value")
        first = row["responsible"].split("; ")[0]
        if first != row["lead_board"]:
            raise ProgrammeDataError(
                f"{_where(path, i, 'lead_board')}: '{row['lead_board']}' is not the first "
                f"board in 'responsible' ('{first}')"
            )
    dup = df["goal_id"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise ProgrammeDataError(f"{_where(path, i, 'goal_id')}: duplicate goal_id '{df.at[i, 'goal_id']}'")
    return df[GOAL_COLUMNS].reset_index(drop=True)


def malomraden(base: Path | None = None) -> pd.DataFrame:
    """The four målområden in programme order: columns ``id, label`` (e.g.
    ``stadsmiljo_boende``, "Stadsmiljö och boende")."""
    g = goals(base)
    out = g[["malomrade", "malomrade_label_sv"]].drop_duplicates("malomrade")
    return out.rename(columns={"malomrade": "id", "malomrade_label_sv": "label"}).reset_index(drop=True)


def indicator_catalogue(base: Path | None = None) -> pd.DataFrame:
    """The indicator catalogue (``indicators.csv``), one row per indicator.

    Text columns as strings (empty ``""`` when blank); ``scale`` is a float, NaN for counts
    (``kind == "antal"``): for shares and rates ``value = numerator / denominator * scale``;
    ``comparisons`` (optional column) which comparisons the indicator allows (:data:`COMPARISONS`,
    :func:`allows`), ``"areas;time"`` when blank. The optional role columns (:data:`ROLE_COLUMNS`)
    say where the indicator appears: positions (:data:`POSITION_ROLES`) as nullable integers, the
    others as text, ``""`` when blank (read them with :func:`key_figures`, :func:`overview_columns`,
    :func:`map_indicators`, :func:`effect_outcomes`, :func:`sensitive_to`, :func:`composites`,
    :func:`composite_inputs`, :func:`shared_denominator`; schema in :mod:`evalkit.contracts.catalogue`).
    """
    return _catalogue_in(_contents([_programme_dir(base) / CATALOGUE_FILE])).copy()


@_cached
def _catalogue_in(files: tuple) -> pd.DataFrame:
    (path, content), = files
    path = Path(path)
    df = _read(path, CATALOGUE_COLUMNS, content)
    scale = pd.to_numeric(df["scale"].replace("", None), errors="coerce")
    bad = df["scale"].ne("") & scale.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ProgrammeDataError(f"{_where(path, i, 'scale')}: not a number: '{df.at[i, 'scale']}'")
    df["scale"] = scale.astype(float)
    df["comparisons"] = _comparisons(df, path)
    df = _roles(df, path)
    dup = df["indicator"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise ProgrammeDataError(f"{_where(path, i, 'indicator')}: duplicate indicator '{df.at[i, 'indicator']}'")
    return df.reset_index(drop=True)


#: Comparisons an indicator allows (catalogue column ``comparisons``, ``;``-separated): ``areas``
#: (against other areas: borough, programme areas, rest of the city, city) and ``time`` (the area
#: against itself in earlier years). A share *of the city* (the area's share of the city's
#: workplaces) allows ``time`` only: the rest of the city holds the remaining share by definition.
COMPARISONS = ("areas", "time")


def _comparisons(df: pd.DataFrame, path: Path) -> pd.Series:
    """The ``comparisons`` column, normalised (``"areas;time"`` where the column is absent or blank)."""
    if "comparisons" not in df.columns:
        return pd.Series(";".join(COMPARISONS), index=df.index)
    out = df["comparisons"].fillna("").str.strip().replace("", ";".join(COMPARISONS))
    for i, value in out.items():
        parts = [v.strip() for v in value.split(";") if v.strip()]
        unknown = [v for v in parts if v not in COMPARISONS]
        if unknown or not parts:
            raise ProgrammeDataError(f"{_where(path, int(i), 'comparisons')}: '{value}' – tillåtna värden: "
                                     f"{', '.join(COMPARISONS)}, åtskilda med ;")
        out.at[i] = ";".join(v for v in COMPARISONS if v in parts)
    return out


def allows(catalogue: pd.DataFrame, indicator: str, comparison: str) -> bool:
    """Whether ``indicator`` may be compared by ``comparison`` (``"areas"`` or ``"time"``), as the
    catalogue's ``comparisons`` column says (an indicator not in the catalogue allows both)."""
    row = catalogue.loc[catalogue["indicator"] == indicator, "comparisons"] if "comparisons" in catalogue else []
    return comparison in (row.iloc[0].split(";") if len(row) else COMPARISONS)


def goal_indicators(base: Path | None = None) -> pd.DataFrame:
    """evalkit's goal→indicator links (``goal_indicators.csv``), validated.

    Columns: ``goal_id, indicator, direction, reference_area, rationale_sv, sampling``.
    ``direction`` is ``increase``, ``decrease`` or ``at_least_reference`` (then ``reference_area``
    names the comparison area, e.g. ``riket``). ``sampling`` (optional column; empty means
    ``register``) is ``survey`` for survey shares, whose changes are tested for significance, or
    ``register`` for complete counts, judged with a tolerance (:mod:`evalkit.analysis.goals`). Every ``goal_id`` must exist in ``goals.csv`` and every
    ``indicator`` in ``indicators.csv``; a broken reference raises :class:`ProgrammeDataError`
    naming the file, row and column. The programme itself names no indicators: these links
    are evalkit's choice.
    """
    folder = _programme_dir(base)
    # keyed on the two files its references are checked against too
    return _goal_indicators_in(_contents([folder / GOAL_INDICATORS_FILE, folder / GOALS_FILE,
                                          folder / CATALOGUE_FILE])).copy()


@_cached
def _goal_indicators_in(files: tuple) -> pd.DataFrame:
    path = Path(files[0][0])
    folder = path.parent
    df = _read(path, GOAL_INDICATOR_COLUMNS, files[0][1])
    # A row appended without the optional last column reads as NaN there.
    df["sampling"] = df["sampling"].fillna("").replace("", "register") if "sampling" in df.columns else "register"
    goal_ids = set(goals(folder)["goal_id"])
    known = set(indicator_catalogue(folder)["indicator"])
    for i, row in df.iterrows():
        if row["goal_id"] not in goal_ids:
            raise ProgrammeDataError(
                f"{_where(path, i, 'goal_id')}: unknown goal_id '{row['goal_id']}' "
                f"(not in {folder / GOALS_FILE})"
            )
        if row["indicator"] not in known:
            raise ProgrammeDataError(
                f"{_where(path, i, 'indicator')}: unknown indicator '{row['indicator']}' "
                f"(not in {folder / CATALOGUE_FILE})"
            )
        if row["direction"] not in DIRECTIONS:
            raise ProgrammeDataError(
                f"{_where(path, i, 'direction')}: '{row['direction']}' is not one of {', '.join(DIRECTIONS)}"
            )
        if row["sampling"] not in SAMPLING:
            raise ProgrammeDataError(
                f"{_where(path, i, 'sampling')}: '{row['sampling']}' is not one of {', '.join(SAMPLING)}"
            )
        if row["direction"] == "at_least_reference" and not row["reference_area"].strip():
            raise ProgrammeDataError(
                f"{_where(path, i, 'reference_area')}: direction 'at_least_reference' needs a reference_area"
            )
    dup = df.duplicated(["goal_id", "indicator"])
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise ProgrammeDataError(f"{_where(path, i, 'indicator')}: duplicate goal_id × indicator")
    return df[GOAL_INDICATOR_COLUMNS + ["sampling"]].reset_index(drop=True)


# --- Indicator roles: where an indicator appears, as columns of the catalogue --------------------
# A new indicator is data-only: its row in indicators.csv says where the reports show it and how
# the analysis treats it; no Python list names it. Every role column is optional (absent or blank:
# the indicator has no such role), so a row appended without them is a plain indicator.

#: Role columns whose value is a position (1, 2, …): the indicator is shown there, in ascending
#: order of the number (gaps allowed, each number used once per column).
POSITION_ROLES = ("key_figure", "overview", "map", "effect_outcome")
#: Years the city overview can show an indicator for (column ``overview_years``), by name so the
#: years themselves keep their one home above: ``latest`` the report's last year, ``baseline``
#: :data:`BASELINE_YEAR`, ``index_baseline`` :data:`INDEX_BASELINE_YEAR`.
OVERVIEW_YEARS = ("index_baseline", "baseline", "latest")
#: Events an indicator may be sensitive to (column ``sensitive_to``): ``refugees`` the refugee
#: reception of 2015–2016, ``covid`` the pandemic of 2020, ``jobbtorg`` the city-wide Jobbtorg
#: (spillover to the comparison areas). The effect reports name the caveat for such indicators.
SENSITIVITIES = ("refugees", "covid", "jobbtorg")
#: All role columns, in the order they follow ``comparisons`` in the file.
ROLE_COLUMNS = ("key_figure", "overview", "overview_years", "map", "effect_outcome", "sensitive_to",
                "composite_input")


def _tokens(value: str) -> list[str]:
    """The ``;``-separated parts of a cell, stripped, empty parts dropped."""
    return [v.strip() for v in value.split(";") if v.strip()]


def _text(value) -> str:
    """A cell as text: a blank cell (NaN, None) is ``""``."""
    return value if isinstance(value, str) else ""


def _roles(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The role columns, normalised: position columns as nullable integers, the others as text
    (``""`` when blank); a malformed cell raises :class:`ProgrammeDataError` naming row and column."""
    for column in ROLE_COLUMNS:
        df[column] = df[column].fillna("").astype(str).str.strip() if column in df.columns else ""
    known = set(df["indicator"])
    for column in POSITION_ROLES:
        numbers = pd.to_numeric(df[column].replace("", None), errors="coerce")
        bad = df[column].ne("") & (numbers.isna() | (numbers % 1 != 0) | (numbers < 1))
        taken = numbers.duplicated() & numbers.notna()
        for problem, what in ((bad, "inte ett heltal från 1"), (taken, "positionen används redan av en annan rad")):
            if problem.any():
                i = int(problem.to_numpy().nonzero()[0][0])
                raise ProgrammeDataError(f"{_where(path, i, column)}: '{df.at[i, column]}' – {what}")
        df[column] = numbers.astype("Int64")
    for column, allowed in (("overview_years", OVERVIEW_YEARS), ("sensitive_to", SENSITIVITIES),
                            ("composite_input", None)):
        for i, value in df[column].items():
            unknown = [v for v in _tokens(value) if v not in (allowed or known)]
            if unknown:
                why = (f"tillåtna värden: {', '.join(allowed)}, åtskilda med ;" if allowed else
                       "inte en indikator i katalogen (koder åtskilda med ;)")
                raise ProgrammeDataError(f"{_where(path, int(i), column)}: '{unknown[0]}' – {why}")
    given = df["overview_years"].ne("") & df["overview"].isna()
    if given.any():
        i = int(given.to_numpy().nonzero()[0][0])
        raise ProgrammeDataError(f"{_where(path, i, 'overview_years')}: år utan position i kolumnen 'overview'")
    return df


def _catalogue(catalogue: pd.DataFrame | None) -> pd.DataFrame:
    """``catalogue`` (default: :func:`indicator_catalogue`) with every role column present."""
    cat = indicator_catalogue() if catalogue is None else catalogue
    if all(c in cat.columns for c in ROLE_COLUMNS):
        return cat
    # a catalogue read or built elsewhere (a test's few rows): a missing role column is blank
    return cat.assign(**{c: "" for c in ROLE_COLUMNS if c not in cat.columns})


def _has(catalogue: pd.DataFrame | None, column: str, token: str) -> pd.Series:
    """Rows whose ``;``-separated ``column`` contains ``token`` (as a boolean Series)."""
    cat = _catalogue(catalogue)
    return cat[column].map(lambda v: token in _tokens(_text(v)))


def _by_position(catalogue: pd.DataFrame | None, column: str) -> list[str]:
    """Indicators with a position in ``column``, in ascending order of it."""
    cat = _catalogue(catalogue)
    numbers = pd.to_numeric(cat[column].replace("", None), errors="coerce")
    return cat.loc[numbers.notna(), "indicator"].iloc[numbers.dropna().argsort(kind="stable")].tolist()


def key_figures(catalogue: pd.DataFrame | None = None) -> list[str]:
    """The key figures of the stadsdel and borough reports, in order (column ``key_figure``)."""
    return _by_position(catalogue, "key_figure")


def map_indicators(catalogue: pd.DataFrame | None = None) -> list[str]:
    """The indicators mapped on the city page, in order (column ``map``)."""
    return _by_position(catalogue, "map")


def effect_outcomes(catalogue: pd.DataFrame | None = None) -> list[str]:
    """The outcomes whose programme-wide effect is estimated, in order (column ``effect_outcome``).
    The first also gets the synthetic controls and is the one the district reports show."""
    return _by_position(catalogue, "effect_outcome")


def overview_columns(catalogue: pd.DataFrame | None = None) -> list[tuple[str, int | None]]:
    """The city overview's columns as ``(indicator, year)``, ``None`` for the report's last year:
    indicators in the order of column ``overview``, each for the years of ``overview_years`` in the
    order written (blank: the last year only)."""
    cat = _catalogue(catalogue)
    written = cat.set_index("indicator")["overview_years"]
    years = {"index_baseline": INDEX_BASELINE_YEAR, "baseline": BASELINE_YEAR, "latest": None}
    return [(indicator, years[name]) for indicator in _by_position(cat, "overview")
            for name in (_tokens(_text(written[indicator])) or ["latest"])]


def sensitive_to(event: str, catalogue: pd.DataFrame | None = None) -> frozenset[str]:
    """Indicators the catalogue marks as sensitive to ``event`` (one of :data:`SENSITIVITIES`)."""
    if event not in SENSITIVITIES:
        raise ValueError(f"unknown event '{event}' (one of {', '.join(SENSITIVITIES)})")
    cat = _catalogue(catalogue)
    return frozenset(cat.loc[_has(cat, "sensitive_to", event), "indicator"])


def composites(catalogue: pd.DataFrame | None = None) -> tuple[str, ...]:
    """Indicators computed from others (named in some row's ``composite_input``), in catalogue order."""
    cat = _catalogue(catalogue)
    named = {c for value in cat["composite_input"] for c in _tokens(_text(value))}
    return tuple(i for i in cat["indicator"] if i in named)


def composite_inputs(composite: str, catalogue: pd.DataFrame | None = None) -> tuple[str, ...]:
    """The inputs of ``composite`` (rows whose ``composite_input`` names it), in catalogue order."""
    cat = _catalogue(catalogue)
    return tuple(cat.loc[_has(cat, "composite_input", composite), "indicator"])


def shared_denominator(catalogue: pd.DataFrame | None = None) -> frozenset[str]:
    """Shares of the whole city (``comparisons`` without ``areas``): every stadsdel's denominator is
    the city's total, so group values sum the numerators and keep that one denominator."""
    cat = _catalogue(catalogue)
    return frozenset(i for i in cat["indicator"] if not allows(cat, i, "areas"))


# --- The other programme files: read here and nowhere else ------------------------------------
# Every file of data/raw/programme/ is read by this module (tests/test_house.py checks it), so a
# file's format and defaults are decided once; the modules that use them ask these functions.

PROGRAMME_AREAS_FILE = "programme_areas.csv"
COHORTS_FILE = "cohorts.csv"
QUANTITIES_FILE = "quantities.csv"
INDEX_INDICATORS_FILE = "index_indicators.csv"


def programme_areas(base: Path | None = None) -> pd.DataFrame:
    """The programme's areas as the programme text names them (``programme_areas.csv``):
    ``level, name, source_quote``; read as text (:mod:`evalkit.geography` turns them into codes)."""
    return pd.read_csv(_programme_dir(base) / PROGRAMME_AREAS_FILE, dtype=str)


def programme_area_rows(base: Path | None = None) -> list[dict[str, str]]:
    """:func:`programme_areas` as rows of text, read with the ``csv`` module: for the build plan,
    which lists a no-op build's pages without importing pandas."""
    return text_rows(_programme_dir(base) / PROGRAMME_AREAS_FILE)[1]


def cohorts(path: Path | None = None) -> pd.DataFrame:
    """The treatment cohorts (``cohorts.csv``, or the file ``path``): ``area_code, area_name,
    initiative, start_year, first_year_counted, source_file, source_line, source_quote, reading``,
    the two years as integers (see :func:`evalkit.analysis.effects.cohorts`)."""
    path = path or _programme_dir(None) / COHORTS_FILE
    c = pd.read_csv(path, dtype={"area_code": str, "initiative": str}, keep_default_na=False)
    c["start_year"] = c["start_year"].astype(int)
    c["first_year_counted"] = c["first_year_counted"].astype(int)
    return c


def quantities(base: Path | None = None) -> pd.DataFrame:
    """``quantities.csv`` as text: ``indicator, part, quantity, count`` (which cells of the tidy
    table are the same number; :func:`evalkit.analysis.intruder.load_quantities` interprets it)."""
    return pd.read_csv(_programme_dir(base) / QUANTITIES_FILE, dtype=str, keep_default_na=False)


def index_indicators(path: Path | str | None = None) -> pd.DataFrame:
    """The social risk index's configuration (``index_indicators.csv``, or the file ``path``):
    ``indicator, domain, domain_label_sv, weight, risk_when, reversal``, ``weight`` a number
    (:func:`evalkit.analysis.index.load_index_config` checks it)."""
    path = Path(path) if path is not None else _programme_dir(None) / INDEX_INDICATORS_FILE
    config = pd.read_csv(path, dtype={"indicator": str, "domain": str, "risk_when": str, "reversal": str},
                         keep_default_na=False)
    config["weight"] = pd.to_numeric(config["weight"])
    return config


# --- More constants with one home (issue 28): each was typed in two or more modules -------------

#: The goal followed up per school (Skola 1.1: results at least the national average): the goal
#: rule judges it per school and the district page's school section shows its wording.
SCHOOL_GOAL = "skola_utbildning-1.1"
#: First and last year of the effect estimates' panel: from the 2007 borough division (the one the
#: programme was assigned in; Järvalyftet also started in 2007) to the programme's end.
EFFECT_YEARS = (2007, PROGRAMME_END)
#: Smallest denominator (every year) of an area in the effect estimates' ``utan_sma`` specification
#: (evalkit's choice; the analysis uses it and the contracts and pages describe it).
SMALL_AREA_DENOMINATOR = 500

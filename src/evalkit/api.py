"""evalkit's public API for researchers: the reports' effect estimators on your own file or frame.

>>> import evalkit
>>> run = evalkit.effects("brott.csv", area="stadsdel", year="ar", numerator="antal_brott",
...                       denominator="befolkning", per=1000, treated="programme", start=2015)
>>> run.effects.did["estimate"], run.effects.did["se"]

:func:`effects` is exactly what ``evalkit effects FILE`` runs (the command only adds the Swedish
table, ``--json`` and ``--csv``); :func:`effects_for_panel` takes a pandas frame you already have.
Both return numbers only. See ``docs/effects-cli.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.programme import PROGRAMME_START  # the default start with treated="programme"
# panel_effects imports the estimators (statsmodels, pyfixest) only when they run: an unknown area
# or an unreadable file is reported before those seconds of imports
from evalkit.analysis.panel_effects import (DEFAULT_DRAWS, DEFAULT_SEED, PanelEffects, PanelError,
                                            effects_for_panel)
from evalkit.io.core import ReaderError, quarantine_rows
from evalkit.io.panel import NEVER, PanelRead, read_panel, resolve_areas

__all__ = ["effects", "effects_for_panel", "read_panel", "FileEffects", "PanelEffects", "PanelError",
           "ReaderError", "PROGRAMME_WORDS"]

#: ``treated=`` words meaning the programme areas (21 stadsdelar, or 6 boroughs for a borough panel).
PROGRAMME_WORDS = {"programme", "programmet", "program", "programomradet", "programområdet"}


@dataclass
class FileEffects:
    """What :func:`effects` returns: the estimates, the rows read (with those set aside) and the
    panel the estimators got (``area, year, y, weight, treated`` or ``first_year``)."""

    effects: PanelEffects
    read: PanelRead
    panel: pd.DataFrame

    def as_dict(self) -> dict:
        """The estimates and the row counts, JSON-ready."""
        out = self.effects.as_dict()
        out["rows"] = {"read": self.read.rows_read, "used": int(len(self.panel)),
                       "set_aside": int(len(self.read.set_aside))}
        out["set_aside"] = self.read.set_aside.astype(object).where(self.read.set_aside.notna(), None).to_dict("records")
        return out


def _as_list(value) -> list:
    """``"a,b"`` or a sequence -> a list (flags take comma lists)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _treated_names(treated) -> list[str] | str:
    """A list of names/codes, or ``"programme"``, from what the user gave (list, file, comma list)."""
    if isinstance(treated, (list, tuple, set, pd.Series, np.ndarray)):
        return [str(t).strip() for t in treated]
    text = str(treated).strip()
    if text.casefold() in PROGRAMME_WORDS:
        return "programme"
    path = Path(text)
    try:
        is_file = path.is_file()
    except OSError:  # a long comma list is no file name
        is_file = False
    if is_file:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
    return _as_list(text)


def _treated_codes(treated, codes: pd.Series, source: str, level: str | None, registry: bool) -> set[str]:
    """Codes of the treated areas; every one must be an area of the panel."""
    from evalkit import geography

    names = _treated_names(treated)
    if isinstance(names, str):
        if not registry:
            raise PanelError("--treated programme kräver geografiregistret (inte --no-geography)")
        panel_level = geography.area_level(codes.iloc[0])
        chosen = geography.programme_boroughs() if panel_level == "stadsdelsomrade" else geography.programme_stadsdelar()
        return set(chosen)
    if not names:
        raise PanelError("--treated: inga områden angivna")
    if registry and level is None:
        level = geography.area_level(codes.iloc[0])  # the panel's level
    treated_codes = resolve_areas(pd.Series(names, dtype=str), source, level=level, registry=registry,
                                  where="--treated")
    missing = sorted(set(treated_codes) - set(codes))
    if missing:
        raise PanelError(f"{source}: --treated: finns inte i filen: " + ", ".join(missing))
    return set(treated_codes)


def _outcome(read: PanelRead, per: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The outcome per row (rate = numerator / denominator × per, or the value), the denominator as
    the weight, and the rows set aside because the denominator is 0 or negative (no rate, no weight)."""
    data = read.data
    if "denominator" in data:
        bad = data["denominator"] <= 0
        aside = quarantine_rows(read.source, data.loc[bad, "row_number"], "denominator",
                                data.loc[bad, "denominator"], "nämnaren är 0 eller negativ")
        data = data[~bad].assign(weight=lambda d: d["denominator"])
    else:
        aside = quarantine_rows(read.source, [], "denominator", [], [])
    if "numerator" in data:
        data = data.assign(y=data["numerator"] / data["denominator"] * per)
    else:
        data = data.assign(y=data["value"])
    return data.reset_index(drop=True), aside


def _assignment_units(frame: pd.DataFrame, start: int | None, registry: bool) -> tuple[str | None, str | None]:
    """Add the assignment unit (``cluster``) to ``frame`` when the geography registry knows the
    areas: a stadsdel's stadsdelsområde in the era in force at ``start``, a borough itself. Returns
    the column and level names for :func:`effects_for_panel` (None, None: the area is the unit)."""
    if not registry or frame.empty:
        return None, None
    from evalkit import geography
    from evalkit.analysis.effects import assignment_units

    level = geography.area_level(str(frame["area"].iloc[0]))
    if level == "stadsdelsomrade":
        return None, "stadsdelsomrade"
    if level != "stadsdel":
        return None, None
    frame["cluster"] = assignment_units(frame["area"], level, start or PROGRAMME_START)
    return "cluster", "stadsdelsomrade"


def effects(path: str | Path, area: str, year: str | None = None, numerator: str | None = None,
            denominator: str | None = None, value: str | None = None, treated=None, cohort: str | None = None,
            start: int | None = None, weights: str = "none", per: float = 100.0, outcome: str = "level",
            level: str | None = None, no_geography: bool = False, sheet: str | int | None = None,
            cluster: str | None = None, covariates=(), fe=(), window: tuple[int, int] | None = None,
            reference_year: int | None = None, control: str = "never", conf_level: float = 0.95,
            trends: bool = False, exclude_years=(), permutations: int = DEFAULT_DRAWS,
            bootstrap: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> FileEffects:
    """Read a panel file and run the reports' estimators on it (what ``evalkit effects`` does;
    every keyword is the flag of the same name, ``-`` written ``_``).

    Columns: ``area`` (names or codes of stadsdelar or stadsdelsområden, resolved through the
    geography registry; ``no_geography=True`` takes your own area codes as given), ``year`` (long
    tables; wide tables have one column per year), and either ``numerator`` + ``denominator``
    (outcome = numerator / denominator × ``per``) or ``value`` (optionally with ``denominator`` as
    the weight). ``level``: the *area* level for names that are both (``"stadsdel"``,
    ``"stadsdelsomrade"``); the confidence level is ``conf_level``. Treatment: ``treated`` =
    ``"programme"`` (the 21 programme stadsdelar, start 2015 unless ``start``), a list, a
    comma-separated string or a file of area names/codes (one per line), with ``start``; or
    ``cohort`` = a column with each area's first treated year (empty or 0: never) for staggered
    starts. ``weights``: ``"population"`` (WLS by the denominator) or ``"none"``.

    Specification (as fixest/did): ``cluster`` (a column; default the assignment unit – the
    borough of era 2007 for ``treated="programme"``, otherwise the area; ``"area"`` for the area),
    ``covariates`` (time-varying number columns), ``fe`` (``"region^year"``), ``window`` (lo, hi
    relative to the start), ``reference_year``, ``control`` (never/notyet), ``conf_level``,
    ``trends``, ``exclude_years``. See :func:`evalkit.analysis.panel_effects.effects_for_panel`.

    Returns :class:`FileEffects`; ``read.set_aside`` holds every row not used with its reason
    (the reader's, and the estimators': no outcome, ≤ 0 under log, an excluded year …), so that
    rows read = rows used + rows set aside. Raises :class:`ReaderError` (unreadable file, unknown
    areas, duplicates) or :class:`PanelError` (a design the estimators cannot use), each with one
    Swedish line.
    """
    if permutations < 1 or bootstrap < 1:
        raise PanelError("--permutations och --bootstrap ska vara minst 1")
    if weights not in ("population", "none"):
        raise PanelError(f"--weights: population eller none, inte {weights!r}")
    if outcome not in ("level", "log"):
        raise PanelError(f"--outcome: level eller log, inte {outcome!r}")
    if (treated is None) == (cohort is None):
        raise PanelError("ange antingen --treated (programme, en lista eller en fil) eller --cohort KOLUMN")
    if cohort is not None and start is not None:
        raise PanelError("--start gäller --treated; med --cohort anger kolumnen varje områdes startår")
    if weights == "population" and not denominator:
        raise PanelError("--weights population kräver --denominator (befolkningen eller nämnaren)")
    covariates, fe, exclude_years = _as_list(covariates), _as_list(fe), [int(y) for y in _as_list(exclude_years)]
    cluster_col = None if cluster in (None, "area", area) else cluster
    fe_cols = [c for spec in fe for c in spec.split("^") if c.strip() and c.strip() not in ("year", year)]
    labels = list(dict.fromkeys(([cluster_col] if cluster_col else []) + fe_cols))
    read = read_panel(path, area=area, year=year, numerator=numerator, denominator=denominator, value=value,
                      cohort=cohort, sheet=sheet, covariates=covariates, labels=labels)
    if read.data.empty:
        raise PanelError(f"{read.source}: inga användbara rader ({read.rows_read} lästa, alla undantagna)")
    data, aside = _outcome(read, per)
    if len(aside):
        read.set_aside = pd.concat([read.set_aside, aside], ignore_index=True)
        read.data = read.data[~read.data["row_number"].isin(set(aside["row_number"]))].reset_index(drop=True)
    # areas first: an unknown name stops the run before the estimators are imported
    data["area"] = resolve_areas(data["area"], read.source, level=level, registry=not no_geography, column=area,
                                 rows=data["row_number"])
    frame = data[["row_number", "area", "year", "y"] + (["weight"] if "weight" in data else [])].copy()
    for c in covariates:
        frame[c] = data[f"cov:{c}"]
    for c in labels:
        frame[c] = data[f"label:{c}"]
    # in the frame the year column is "year", whatever the file calls it
    fe = ["^".join("year" if part.strip() in ("year", year) else part.strip() for part in spec.split("^"))
          for spec in fe]
    if cohort is not None:
        years = pd.to_numeric(data["cohort"].where(~data["cohort"].str.casefold().isin(NEVER), "0"),
                              errors="coerce")
        if years.isna().any():
            bad = data.loc[years.isna(), ["row_number", "cohort"]].iloc[0]
            raise ReaderError(f"{read.source}: rad {bad['row_number']}, kolumnen {cohort}: {bad['cohort']!r} är inget "
                              "startår (ett årtal, eller tomt/0 för aldrig behandlad)")
        frame["first_year"] = years.astype(int)
        treatment, chosen = {"cohort": "first_year"}, None
        starts = frame.loc[frame["first_year"] > 0, "first_year"]
        first_start = int(starts.min()) if len(starts) else None
    else:
        chosen = _treated_codes(treated, frame["area"], read.source, level, not no_geography)
        if start is None:
            if _treated_names(treated) != "programme":
                raise PanelError("--start ÅR saknas: första året med insatsen")
            start = PROGRAMME_START
        frame["treated"] = frame["area"].isin(chosen).astype(int)
        treatment = {"treated": "treated", "start": int(start)}
        first_start = int(start)
    cluster_level = None
    if cluster is None:  # the assignment unit: the borough of the era in force at the start
        cluster_col, cluster_level = _assignment_units(frame, first_start, not no_geography)
    est = effects_for_panel(frame, value="y", denominator="weight" if "weight" in frame else None, **treatment,
                            weights=weights, outcome=outcome, cluster=cluster_col, covariates=covariates, fe=fe,
                            window=window, reference_year=reference_year, control=control, conf_level=conf_level,
                            trends=trends, exclude_years=exclude_years, permutations=permutations,
                            bootstrap=bootstrap, seed=seed, cluster_level=cluster_level)
    est.settings["per"] = per if numerator else None
    est.settings["cluster"] = {None: "area", "cluster": "stadsdelsomrade"}.get(cluster_col, cluster_col)
    if len(est.set_aside):
        extra = quarantine_rows(read.source, est.set_aside["row_number"], est.set_aside["column"],
                                est.set_aside["area"].astype(str) + " " + est.set_aside["year"].astype(str),
                                est.set_aside["reason"])
        read.set_aside = pd.concat([read.set_aside, extra], ignore_index=True)
    used = frame[~frame["row_number"].isin(set(est.set_aside["row_number"]))].reset_index(drop=True)
    return FileEffects(effects=est, read=read, panel=used)

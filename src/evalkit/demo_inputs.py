"""Seeded, deterministic generators of synthetic school and survey demo data.

Real per-school results and per-area survey extracts cannot be shipped, so evalkit ships
*synthetic* files in the shape evaluators receive them (Swedish headers, ``;``, decimal commas,
official-statistics symbols):

* ``data/raw/schools/skolresultat_demo.csv`` – invented schools ("Tensta skola (demo)"), each in
  a real stadsdel: 2–4 per programme stadsdel and one or two in a sample of other stadsdelar,
  2012–2020, grades 3/6/9, three measures, three pupil groups; results for fewer than 10
  pupils are withheld as ``x``; grades in year 6 did not exist before spring 2013 (``.``);
  national tests were cancelled in spring 2020 (``..``).
* ``data/raw/surveys/enkater_demo.csv`` – trygghetsmätning per stadsdel (odd years 2011–2019)
  and medborgarundersökning per stadsdelsområde (2012–2020, in the borough era of the year),
  with respondents scaled by the real 2015 population; shares for fewer than 10 respondents are
  withheld as ``x``.

``python -m evalkit.demo_inputs`` (re)writes both files. Same seed -> byte-identical files.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography
from evalkit.paths import raw_dir
from evalkit.contracts import SUPPRESSION_LIMIT
from evalkit.io.schools import GROUP_LABELS, MEASURE_LABELS
from evalkit.programme import SEED_DEMO_SCHOOLS, SEED_DEMO_SURVEYS

SCHOOL_SEED = SEED_DEMO_SCHOOLS
SURVEY_SEED = SEED_DEMO_SURVEYS
SCHOOL_YEARS = tuple(range(2012, 2021))
SOURCE = "evalkit demodata (syntetisk, seed {seed})"

SCHOOL_HEADER = ["Skola", "Skolenhetskod", "Stadsdel", "År", "Årskurs", "Mått", "Elevgrupp", "Antal elever",
                 "Värde", "Riksgenomsnitt", "Status", "Källa"]
SURVEY_HEADER = ["Undersökning", "Fråga", "Område", "Områdesnivå", "År", "Antal svarande", "Andel (%)",
                 "Status", "Källa"]

_SUFFIXES = ["skola", "östra skola", "västra skola", "grundskola", "norra skola", "södra skola"]
#: School types and the grades they report.
_TYPES = {"F-6": (3, 6), "7-9": (9,), "F-9": (3, 6, 9)}
#: National level (exkl. nyanlända) in 2012 and the yearly change; nyanlända offset.
#: The levels are *approximate* and synthetic, not Skolverket's published averages.
_NATIONAL = {
    ("meritvarde", 9): (214.0, 1.0, -65.0),
    ("kunskapskrav_alla_amnen", 6): (79.0, -0.3, -35.0),
    ("kunskapskrav_alla_amnen", 9): (79.0, -0.4, -45.0),
    ("np_godkand", 3): (72.0, 0.2, -25.0),
    ("np_godkand", 6): (88.0, 0.0, -30.0),
    ("np_godkand", 9): (86.0, 0.0, -32.0),
}
_MEASURES_BY_GRADE = {3: ("np_godkand",), 6: ("kunskapskrav_alla_amnen", "np_godkand"),
                      9: ("meritvarde", "kunskapskrav_alla_amnen", "np_godkand")}
#: National share of pupils with less than 3 years in Swedish school, by year (synthetic).
_NATIONAL_NEWCOMER_SHARE = {2012: 0.03, 2013: 0.035, 2014: 0.04, 2015: 0.05, 2016: 0.07, 2017: 0.08,
                            2018: 0.07, 2019: 0.06, 2020: 0.05}


def _fmt(x: float, decimals: int = 1) -> str:
    """Swedish number: decimal comma, no thousands separator (fixed, so bytes are stable).

    Not :func:`evalkit.present.format.number`: this writes a *raw* file as a delivering system
    would (no thousands separator, Python's rounding), and the data layer does not import present/.
    """
    return f"{x:.{decimals}f}".replace(".", ",")


def _to_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _population_2015() -> dict[str, int]:
    """Real population 2015 per stadsdel code (Stockholms stad, basområden, CC0)."""
    pop = pd.read_csv(raw_dir() / "population" / "folkmangd_2014-2016_stadsdel_stadsdelsomrade.csv")
    pop = pop[pop["level"] == "stadsdel"]
    codes = pop["area"].map(lambda n: geography.resolve(n, level="stadsdel"))
    return dict(zip(codes, pop["pop2015"].astype(int)))


def _schools(rng: np.random.Generator) -> pd.DataFrame:
    """Invented schools: 2–4 per programme stadsdel, 1–2 in 12 other (populated) stadsdelar."""
    sd = geography.stadsdelar()
    pop = _population_2015()
    programme = sd[sd["programme"]]
    others = sd[~sd["programme"] & sd["stadsdel_code"].map(lambda c: pop.get(c, 0) > 8000)]
    sample = others.iloc[np.sort(rng.choice(len(others), size=12, replace=False))]
    rows = []
    for table, counts, quality in ((programme, (2, 5), -0.45), (sample, (1, 3), 0.35)):
        for area in table.itertuples(index=False):
            k = int(rng.integers(*counts))
            suffixes = [_SUFFIXES[i] for i in np.sort(rng.choice(len(_SUFFIXES), size=k, replace=False))]
            for suffix in suffixes:
                kind = ("F-6", "7-9", "F-9")[int(rng.choice(3, p=[0.45, 0.2, 0.35]))]
                rows.append({
                    "school": f"{area.stadsdel} {suffix} (demo)", "area": area.stadsdel,
                    "area_code": area.stadsdel_code, "type": kind, "programme": bool(area.programme),
                    "quality": quality + rng.normal(0, 0.35),
                    "cohort": float(rng.choice([14.0, 22.0, 35.0, 55.0, 80.0], p=[0.1, 0.2, 0.3, 0.25, 0.15])),
                })
    out = pd.DataFrame(rows).sort_values(["area_code", "school"]).reset_index(drop=True)
    out["school_id"] = [f"DEMO{i + 1:04d}" for i in range(len(out))]
    return out


def _logistic(x):
    return 1 / (1 + np.exp(-x))


def _logit(p):
    return np.log(p / (1 - p))


def generate_schools(seed: int = SCHOOL_SEED) -> pd.DataFrame:
    """The school demo table in raw form (all cells as text), deterministically from ``seed``."""
    rng = np.random.default_rng(seed)
    schools = _schools(rng)
    source = SOURCE.format(seed=seed)
    rows = []
    for s in schools.itertuples(index=False):
        for year in SCHOOL_YEARS:
            newcomer = _NATIONAL_NEWCOMER_SHARE[year] * (2.6 if s.programme else 0.5)
            for grade in _TYPES[s.type]:
                n_all = int(rng.poisson(s.cohort))
                n_new = int(rng.binomial(n_all, min(newcomer * (0.6 if grade == 3 else 1.2), 0.5)))
                n_by_group = {"alla": n_all, "exkl_nyanlanda": n_all - n_new, "nyanlanda": n_new}
                for measure in _MEASURES_BY_GRADE[grade]:
                    base, trend, offset = _NATIONAL[(measure, grade)]
                    nat_ex = base + trend * (year - 2012)
                    nat_new = nat_ex + offset
                    nat_all = (1 - _NATIONAL_NEWCOMER_SHARE[year]) * nat_ex + _NATIONAL_NEWCOMER_SHARE[year] * nat_new
                    national = {"alla": nat_all, "exkl_nyanlanda": nat_ex, "nyanlanda": nat_new}
                    shock = rng.normal(0, 0.15)
                    if measure == "meritvarde":
                        mean_ex = nat_ex + 28 * (s.quality + shock) + rng.normal(0, 40 / np.sqrt(max(n_all, 1)))
                        mean_new = nat_new + 20 * (s.quality + shock) + rng.normal(0, 40 / np.sqrt(max(n_new, 1)))
                        mean_ex, mean_new = np.clip([mean_ex, mean_new], 0, 340)
                        total = mean_ex * n_by_group["exkl_nyanlanda"] + mean_new * n_new
                        values = {"exkl_nyanlanda": mean_ex, "nyanlanda": mean_new,
                                  "alla": total / n_all if n_all else np.nan}
                    else:
                        k_ex = rng.binomial(n_by_group["exkl_nyanlanda"],
                                            _logistic(_logit(nat_ex / 100) + s.quality + shock))
                        k_new = rng.binomial(n_new, _logistic(_logit(nat_new / 100) + s.quality + shock))
                        values = {"exkl_nyanlanda": 100 * k_ex / max(n_by_group["exkl_nyanlanda"], 1),
                                  "nyanlanda": 100 * k_new / max(n_new, 1),
                                  "alla": 100 * (k_ex + k_new) / max(n_all, 1)}
                    for group in ("alla", "exkl_nyanlanda", "nyanlanda"):
                        n = n_by_group[group]
                        nat_text = _fmt(national[group])
                        if measure == "kunskapskrav_alla_amnen" and grade == 6 and year == 2012:
                            value, status = "", "."   # no grades in year 6 before spring 2013
                        elif measure == "np_godkand" and year == 2020:
                            value, status, nat_text = "", "..", ""   # national tests cancelled VT 2020
                        elif n == 0:
                            value, status = "", "–"
                        elif n < SUPPRESSION_LIMIT:
                            value, status = "x", "x"
                        else:
                            value, status = _fmt(values[group]), ""
                        rows.append([s.school, s.school_id, s.area, str(year), str(grade), MEASURE_LABELS[measure],
                                     GROUP_LABELS[group], str(n), value, nat_text, status, source])
    return pd.DataFrame(rows, columns=SCHOOL_HEADER)


def _boroughs_for_year(year: int) -> pd.DataFrame:
    era = geography.era_for_year(year)
    table = geography.stadsdelsomraden()
    return table[table["era"] == era].reset_index(drop=True)


def generate_surveys(seed: int = SURVEY_SEED) -> pd.DataFrame:
    """The survey demo table in raw form (all cells as text), deterministically from ``seed``."""
    rng = np.random.default_rng(seed)
    pop = _population_2015()
    sd = geography.stadsdelar()
    source = SOURCE.format(seed=seed)
    rows = []
    # Trygghetsmätning: per stadsdel, odd years; respondents ~ 400 × (pop / 20 000) ** 0.6.
    risk = {r.stadsdel_code: (0.55 if r.programme else -0.25) + rng.normal(0, 0.2) for r in sd.itertuples()}
    questions = {"otrygg_kvall": (-1.4, 1.0), "oro_brott_bostadsomrade": (-0.9, 0.8)}
    for year in range(2011, 2020, 2):
        for r in sd.itertuples(index=False):
            population = pop.get(r.stadsdel_code, 0)
            n = int(rng.poisson(400 * min(1.0, (population / 20000) ** 0.6))) if population else 0
            for question, (base, loading) in questions.items():
                p = _logistic(base + loading * risk[r.stadsdel_code] - 0.03 * (year - 2011) + rng.normal(0, 0.1))
                k = int(rng.binomial(n, p)) if n else 0
                if n == 0:
                    value, status = "", ".."
                elif n < SUPPRESSION_LIMIT:
                    value, status = "x", "x"
                else:
                    value, status = _fmt(100 * k / n), ""
                rows.append(["Trygghetsmätningen", question, r.stadsdel, "stadsdel", str(year), str(n), value,
                             status, source])
    # Medborgarundersökning: per stadsdelsområde in the era of the year; ~ 250–600 respondents.
    borough_pop = {}
    for era in geography.ERAS:
        column = f"sdo_{era}"
        borough_pop[era] = sd.assign(pop=sd["stadsdel_code"].map(pop).fillna(0)).groupby(column)["pop"].sum()
    mq = {"nojd_stadsdelsomrade": (1.6, -0.6), "trygg_bostadsomrade": (1.3, -0.8)}
    for year in range(2012, 2021):
        era = geography.era_for_year(year)
        for b in _boroughs_for_year(year).itertuples(index=False):
            n = int(rng.poisson(250 + 350 * min(1.0, borough_pop[era][b.sdo_code] / 120000)))
            programme = b.programme
            for question, (base, loading) in mq.items():
                p = _logistic(base + loading * (0.8 if programme else -0.2) + rng.normal(0, 0.08))
                k = int(rng.binomial(n, p))
                rows.append(["Medborgarundersökningen", question, f"{b.stadsdelsomrade} stadsdelsområde",
                             "stadsdelsområde", str(year), str(n), _fmt(100 * k / n), "", source])
    return pd.DataFrame(rows, columns=SURVEY_HEADER)


def school_text(seed: int = SCHOOL_SEED) -> str:
    return _to_csv(SCHOOL_HEADER, generate_schools(seed).values.tolist())


def survey_text(seed: int = SURVEY_SEED) -> str:
    return _to_csv(SURVEY_HEADER, generate_surveys(seed).values.tolist())


def write(root: Path | None = None, school_seed: int = SCHOOL_SEED, survey_seed: int = SURVEY_SEED) -> list[Path]:
    """Write both demo files (UTF-8, ``\\n`` line ends) under ``root`` (default ``data/raw``)."""
    root = Path(root) if root is not None else raw_dir()
    out = []
    for sub, name, text in (("schools", "skolresultat_demo.csv", school_text(school_seed)),
                            ("surveys", "enkater_demo.csv", survey_text(survey_seed))):
        path = root / sub / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        out.append(path)
    return out


if __name__ == "__main__":  # pragma: no cover
    for written in write():
        print(f"skrev {written} ({written.stat().st_size} byte)")

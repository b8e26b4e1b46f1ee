"""Seeded demo data for population structure: age shares and persons per household.

No open per-stadsdel series 2006–2020 exists for age groups or households, so, like
:mod:`evalkit.demo`, this writes synthetic data – in its own file and with its own seed, so the
calibrated indicator demo data stay untouched. Population (the denominator) is taken from the
indicator demo file, so shares are consistent with it. ``python -m evalkit.demo_population``
rewrites ``data/raw/demo/befolkningsstruktur_2006-2020.csv`` byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import demo, geography
from evalkit.paths import raw_dir
from evalkit.programme import SEED_DEMO_POPULATION

SEED = SEED_DEMO_POPULATION
INDICATORS = ("andel_0_19", "andel_65_plus", "personer_per_hushall")
SOURCE = f"evalkit demodata (syntetisk, seed {SEED})"
INNER_CITY = {"sdo-norrmalm", "sdo-ostermalm", "sdo-sodermalm", "sdo-kungsholmen"}
#: Typical levels by kind of area: (share 0–19 %, share 65+ %, persons per household).
PROFILE = {"programme": (27.0, 11.0, 2.6), "inner": (16.0, 15.0, 1.7), "other": (23.0, 16.0, 2.2)}


def default_path() -> Path:
    """Where the file lives in the project."""
    return raw_dir() / "demo" / "befolkningsstruktur_2006-2020.csv"


def generate(seed: int = SEED) -> pd.DataFrame:
    """Rows in the raw demo format (docs/CONTRACTS.md) for andel_0_19, andel_65_plus, personer_per_hushall."""
    rng = np.random.default_rng(seed)
    base = pd.read_csv(demo.default_path(), dtype={"taljare": "Int64", "namnare": "Int64"})
    pop = base[(base["indikator"] == "folkmangd") & (base["omradesniva"] == "stadsdel")]
    areas = geography.stadsdelar().set_index("stadsdel")
    rows = []
    for name, series in pop.groupby("omrade", sort=True):
        area = areas.loc[name]
        kind = "programme" if area["programme"] else ("inner" if area[geography.borough_column()] in INNER_CITY else "other")
        young, old, size = PROFILE[kind]
        # Each area keeps its own offset from the profile and drifts slowly over the years.
        young += rng.normal(0, 3)
        old += rng.normal(0, 3)
        size = max(1.3, size + rng.normal(0, 0.2))
        for year, people in zip(series["ar"], series["varde"]):
            people = int(round(people))
            t = year - 2006
            p_young = np.clip((young + 0.05 * t) / 100, 0.02, 0.6)
            p_old = np.clip((old + 0.08 * t * (kind != "programme")) / 100, 0.02, 0.6)
            n_young = int(rng.binomial(people, p_young)) if people else 0
            n_old = int(rng.binomial(people, p_old)) if people else 0
            households = int(round(people / (size + rng.normal(0, 0.03)))) if people else 0
            for indicator, num, den, scale in (("andel_0_19", n_young, people, 100),
                                               ("andel_65_plus", n_old, people, 100),
                                               ("personer_per_hushall", people, households, 1)):
                value = "" if den == 0 else f"{round(num / den * scale, 2 if scale == 1 else 1)}"
                rows.append({"omrade": name, "omradesniva": "stadsdel", "indikator": indicator, "ar": int(year),
                             "taljare": num, "namnare": den, "varde": value, "status": ".." if den == 0 else "",
                             "kalla": SOURCE})
    return pd.DataFrame(rows).sort_values(["indikator", "omrade", "ar"]).reset_index(drop=True)


def write(path: Path | None = None, seed: int = SEED) -> Path:
    """Write the file (UTF-8, ``\\n`` line ends, fixed formatting); returns the path."""
    path = Path(path) if path else default_path()
    path.write_text(generate(seed).to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())

"""Seeded, deterministic generator of synthetic demo data (``data/raw/demo/indikatorer_2006-2020.csv``).

Real per-stadsdel series 2006–2020 for the programme's indicators cannot be shipped, so the
project ships *synthetic* data that behave plausibly and reproduce the statements of
"Programmet för en sammanhållen stad 2015–2020" (section "Prioriterade stadsdelsnämnder") when the
social risk index (:mod:`evalkit.analysis.index`) is computed on them. Only the population
2014–2016 is real (Stockholms stad, basområden, CC0).

Run ``python -m evalkit.demo`` to (re)write the file. Same seed -> byte-identical file.

Model (per stadsdel *i*, indicator *k*, year *t*)::

    rate[i,k,t] = base_k(t) * m[i,k] * exp(b_k * z[i,t] + e[i,k,t]) / M_k

* ``z[i,t] = z_i + drift_i * (t - 2012) + u[i,t]`` is a latent social-risk score. ``z_i`` is
  calibrated so that the 2012 social risk index of the stadsdel equals a target
  (:data:`TARGET_INDEX_2012`; Tensta 180, programme areas above 100, the rest below), ``drift_i``
  makes the most deprived areas lose ground relative to the city (so the fall 2006–2012 is
  smallest in Skärholmen, Spånga-Tensta and Rinkeby-Kista), ``u`` is AR(1) noise.
* ``base_k(t)`` is the city trend (most risks fall 2006–2012), ``b_k`` the loading (economic
  assistance has the steepest gradient: ratios to the city of 5–10 in the worst areas),
  ``m[i,k]`` an area multiplier (crime in the city centre and shopping centres), ``M_k`` a
  normalisation so the city rate is ``base_k(t)``.
* For good things (employment, eligibility, satisfaction) the *complement* (1 − share) is
  modelled this way and the share is 1 − complement.
* Numerators of shares are binomial draws from the denominator (population-based denominators for
  register data, respondents for surveys); counts are integers.

Planted truth for effect-estimation tests (module constants, also in the data README):
:data:`PLANTED_EFFECT_EKONOMISKT_BISTAND`, :data:`PLANTED_EFFECT_ANMALDA_BROTT`,
:data:`REFUGEE_SHOCK_EKONOMISKT_BISTAND`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.geography import borough_column, slugify, stadsdelar
from evalkit.paths import raw_dir
from evalkit.programme import FIRST_DATA_YEAR, PROGRAMME_END, PROGRAMME_START, SEED_DEMO_INDICATORS

DEFAULT_SEED = SEED_DEMO_INDICATORS
YEARS = tuple(range(FIRST_DATA_YEAR, PROGRAMME_END + 1))
REAL_POPULATION_YEARS = (2014, 2015, 2016)
JOBBTORG_FIRST_YEAR = 2008
CALIBRATION_YEAR = 2012

SOURCE_REAL = "Stockholms stad, basområden (CC0)"
SOURCE_DEMO = "evalkit demodata (syntetisk, seed {seed})"
COLUMNS = ["omrade", "omradesniva", "indikator", "ar", "taljare", "namnare", "varde", "status", "kalla"]

# --- Planted truth ---------------------------------------------------------------------------
#: Extra relative change per programme year in the 21 programme stadsdelar's rate of economic
#: assistance, cumulative: rate × (1 + effect) ** (year - 2014) for year >= 2015, i.e. −3 % in
#: 2015, −5.9 % in 2016, … −16.7 % in 2020, relative to the path the generator would otherwise draw.
PLANTED_EFFECT_EKONOMISKT_BISTAND = -0.03
#: No programme effect on reported crime.
PLANTED_EFFECT_ANMALDA_BROTT = 0.0
#: Refugee-reception shock: multiplier on economic assistance in programme stadsdelar (a confounder
#: coinciding with the programme start).
REFUGEE_SHOCK_EKONOMISKT_BISTAND = {2015: 1.06, 2016: 1.10}

# --- Targets: social risk index 2012 (moving reference, city = 100) ----------------------------
#: Stadsdelar named in the programme text as above the city average in 2012 (plus Vällingby,
#: which the text also names in Hässelby-Vällingby) with their target index. All other stadsdelar
#: get a lower target (see :func:`_targets`).
TARGET_INDEX_2012 = {
    "Rinkeby": 240, "Husby": 205, "Akalla": 160, "Kista": 140,
    "Tensta": 175,
    "Vårberg": 170, "Bredäng": 165, "Sätra": 150, "Skärholmen": 185,
    "Hässelby gård": 150, "Grimsta": 130, "Hässelby strand": 140, "Vällingby": 122,
    "Rågsved": 150, "Hagsätra": 150, "Högdalen": 135, "Bandhagen": 128, "Östberga": 140,
    "Farsta strand": 140, "Hökarängen": 128, "Farsta": 128, "Fagersjö": 132,
}
#: Typical target of the other stadsdelar per borough (era 2007), before scaling so that the
#: population-weighted mean of all targets is 100.
BOROUGH_DEFAULT = {
    "sdo-rinkeby-kista": 70, "sdo-spanga-tensta": 60, "sdo-skarholmen": 75,
    "sdo-hasselby-vallingby": 68, "sdo-enskede-arsta-vantor": 66, "sdo-farsta": 66,
    "sdo-bromma": 58, "sdo-kungsholmen": 68, "sdo-norrmalm": 72, "sdo-ostermalm": 66,
    "sdo-sodermalm": 74, "sdo-hagersten-liljeholmen": 72, "sdo-alvsjo": 62, "sdo-skarpnack": 78,
}
#: Drift of the latent score per year (relative to 2012) by group.
DRIFT = {"deprived_core": 0.014, "programme": -0.004, "other": -0.012}
#: Extra drift for single stadsdelar (Tensta carries Spånga-Tensta alone).
DRIFT_EXTRA = {"Tensta": 0.006}
#: Highest target for a stadsdel not named in the programme text (index 2012, city = 1): in the
#: six programme boroughs, elsewhere.
UNNAMED_TARGET_CAP = (0.80, 0.92)
PROGRAMME_BOROUGHS = ("sdo-rinkeby-kista", "sdo-spanga-tensta", "sdo-skarholmen",
                      "sdo-hasselby-vallingby", "sdo-enskede-arsta-vantor", "sdo-farsta")
DEPRIVED_CORE_BOROUGHS = ("sdo-rinkeby-kista", "sdo-skarholmen", "sdo-spanga-tensta")

VILLA_AREAS = {
    "Hässelby villastad", "Södra Ängby", "Norra Ängby", "Nockeby", "Nockebyhov", "Olovslund",
    "Smedslätten", "Ålsten", "Äppelviken", "Höglandet", "Stora Mossen", "Enskedefältet",
    "Gamla Enskede", "Enskededalen", "Stureby", "Tallkrogen", "Herrängen", "Långbro", "Örby slott",
    "Långsjö", "Solhem", "Sundby", "Flysta", "Lunda", "Kälvesta", "Bromma kyrka", "Riksby",
    "Mälarhöjden", "Skrubba", "Larsboda", "Svedmyra", "Eneby", "Orhem", "Flaten", "Södra Ängby",
}
INNER_CITY_BOROUGHS = ("sdo-norrmalm", "sdo-ostermalm", "sdo-sodermalm", "sdo-kungsholmen")
#: Reported crime multipliers (city centre, large shopping centres).
CRIME_MULTIPLIER = {
    "Norrmalm": 2.2, "Gamla stan": 2.2, "Riddarholmen": 2.0, "Skeppsholmen": 1.5, "Södermalm": 1.3,
    "Vasastaden": 1.1, "Östermalm": 1.2, "Kungsholmen": 1.1, "Kista": 1.5, "Skärholmen": 1.4,
    "Farsta": 1.3, "Vällingby": 1.3, "Ulvsunda industriområde": 1.5, "Västberga": 1.3,
    "Johanneshov": 1.3,
}
#: Share of the city's workplaces, relative weight per inhabitant (default 0.5).
WORKPLACE_WEIGHT = {
    "Norrmalm": 18.0, "Gamla stan": 4.0, "Riddarholmen": 5.0, "Skeppsholmen": 3.0,
    "Vasastaden": 1.5, "Östermalm": 2.0, "Kungsholmen": 2.0, "Marieberg": 3.0, "Kista": 4.0,
    "Ulvsunda industriområde": 6.0, "Västberga": 3.0, "Johanneshov": 2.0, "Liljeholmen": 1.2,
    "Södermalm": 0.9, "Ladugårdsgärdet": 1.2, "Norra Djurgården": 2.5, "Solna": 1.0,
    "Djurgården": 3.0, "Hjorthagen": 1.0, "Södra Hammarbyhamnen": 1.2, "Bromma kyrka": 1.5,
    "Ulvsunda": 2.5, "Mariehäll": 2.0, "Årsta": 0.8, "Älvsjö": 4.0, "Sätra": 0.8,
}

# --- Indicators ----------------------------------------------------------------------------------
# base: city level in 2012 (share, per-capita rate or mean); trend: (annual log change before 2012,
# after 2012); recession: extra log change 2009–2010; loading b_k; complement: model 1 − share.
_RATE_SPECS = {
    # index indicators
    "ekonomiskt_bistand": dict(base=0.042, trend=(-0.035, -0.02), recession=0.06, b=2.2, sd=0.03),
    "sysselsattning": dict(base=0.215, trend=(-0.025, -0.008), recession=0.05, b=1.0, sd=0.02,
                           complement=True),
    "behorighet_gymnasiet": dict(base=0.12, trend=(-0.02, 0.01), recession=0.0, b=1.0, sd=0.04,
                                 complement=True),
    "trangboddhet": dict(base=0.15, trend=(-0.015, 0.01), recession=0.0, b=1.3, sd=0.02),
    "ohalsotal": dict(base=22.0, trend=(-0.06, -0.005), recession=0.0, b=0.7, sd=0.02),
    "psykisk_ohalsa": dict(base=0.065, trend=(0.01, 0.02), recession=0.0, b=0.4, sd=0.03),
    "anmalda_brott": dict(base=0.160, trend=(-0.025, -0.015), recession=0.0, b=0.6, sd=0.04),
    "otrygghet": dict(base=0.20, trend=(-0.03, 0.01), recession=0.0, b=0.9, sd=0.02),
    # others
    "ren_utemiljo": dict(base=0.30, trend=(-0.01, -0.01), recession=0.0, b=0.5, sd=0.03,
                         complement=True),
    "nojd_service": dict(base=0.25, trend=(0.0, -0.005), recession=0.0, b=0.4, sd=0.03,
                         complement=True),
    "nojd_idrott": dict(base=0.30, trend=(-0.005, -0.005), recession=0.0, b=0.2, sd=0.03,
                        complement=True),
    "nojd_kultur": dict(base=0.38, trend=(-0.005, -0.005), recession=0.0, b=0.3, sd=0.03,
                        complement=True),
    "kunskapskrav_ak9_exkl_nyanlanda": dict(base=0.22, trend=(0.01, -0.005), recession=0.0, b=1.0,
                                            sd=0.04, complement=True),
    "jobbtorg_sjalvforsorjande": dict(base=0.62, trend=(-0.01, -0.01), recession=0.08, b=0.25,
                                      sd=0.05, complement=True),
}
#: Index indicators and their weights in the total (1/4 domain × 1/2 indicator), for calibration.
_INDEX_WEIGHTS = {k: 0.125 for k in (
    "ekonomiskt_bistand", "sysselsattning", "behorighet_gymnasiet", "trangboddhet", "ohalsotal",
    "psykisk_ohalsa", "anmalda_brott", "otrygghet")}
SURVEY_INDICATORS = ("otrygghet", "ren_utemiljo", "nojd_service", "nojd_idrott", "nojd_kultur")
#: Survey respondents: 400 * min(1, (pop / 20 000) ** 0.6); no survey below this population.
SURVEY_MIN_POPULATION = 500
T_CENTRALEN = (18.0597, 59.3313)


def _trend(spec: dict, year: int) -> float:
    """City multiplier relative to 2012 for a rate spec."""
    before, after = spec["trend"]
    log = before * (year - CALIBRATION_YEAR) if year <= CALIBRATION_YEAR else after * (year - CALIBRATION_YEAR)
    if year in (2009, 2010):
        log += spec["recession"]
    elif year == 2011:
        log += spec["recession"] / 2
    return float(np.exp(log))


def _population(rng: np.random.Generator, areas: pd.DataFrame) -> np.ndarray:
    """Population (n_areas × n_years): real 2014–2016, extrapolated growth with noise otherwise."""
    path = raw_dir() / "population" / "folkmangd_2014-2016_stadsdel_stadsdelsomrade.csv"
    pop = pd.read_csv(path)
    pop = pop[pop["level"] == "stadsdel"].copy()
    pop["key"] = pop["area"].map(slugify)
    # Riddarholmen has no basområde of its own and is absent from the file: population 0.
    pop = pop.set_index("key").reindex(areas["stadsdel"].map(slugify))
    p14, p15, p16 = (pop[f"pop{y}"].fillna(0).to_numpy(float) for y in REAL_POPULATION_YEARS)
    with np.errstate(divide="ignore", invalid="ignore"):
        g_obs = np.where(p14 > 0, np.sqrt(p16 / np.where(p14 > 0, p14, 1)) - 1, 0.0)
    g_obs = np.clip(g_obs, -0.01, 0.04)
    jitter = rng.normal(0, 0.004, len(areas))
    g_back = 0.5 * g_obs + 0.5 * 0.018 + jitter
    g_fwd = 0.5 * g_obs + 0.5 * 0.011 + jitter
    out = np.zeros((len(areas), len(YEARS)))
    for j, year in enumerate(YEARS):
        if year in REAL_POPULATION_YEARS:
            out[:, j] = {2014: p14, 2015: p15, 2016: p16}[year]
        else:
            noise = np.exp(rng.normal(0, 0.006, len(areas)))
            if year < 2014:
                est = p14 / (1 + g_back) ** (2014 - year)
            else:
                est = p16 * (1 + g_fwd) ** (year - 2016)
            out[:, j] = np.round(est * noise)
    return out.astype(np.int64)


def _targets(areas: pd.DataFrame, rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Target 2012 index per stadsdel (relative to the city, population-weighted mean 1).

    Named stadsdelar (:data:`TARGET_INDEX_2012`) keep their target; the others get their
    borough default (villa areas 15 % lower, ± ~5 % jitter), scaled so the weighted mean is 1 and
    capped at :data:`UNNAMED_TARGET_CAP` (the cap's excess is spread over the uncapped).
    """
    cap = np.where(areas[borough_column()].isin(PROGRAMME_BOROUGHS), *UNNAMED_TARGET_CAP)
    named = areas["stadsdel"].map(TARGET_INDEX_2012)
    default = areas[borough_column()].map(BOROUGH_DEFAULT).to_numpy(float) / 100
    default = default * np.exp(rng.normal(0, 0.05, len(areas)))
    villa = areas["stadsdel"].isin(VILLA_AREAS).to_numpy()
    default = np.where(villa, default * 0.85, default)
    is_named = named.notna().to_numpy()
    fixed = np.nan_to_num(named.to_numpy(float)) / 100
    need = weights.sum() - (weights * fixed)[is_named].sum()
    free = default.copy()
    capped = np.zeros(len(areas), dtype=bool)
    for _ in range(20):
        fixed_part = (weights * free)[~is_named & capped].sum()
        scalable = ~is_named & ~capped
        factor = (need - fixed_part) / (weights * free)[scalable].sum()
        free = np.where(scalable, free * factor, free)
        over = scalable & (free > cap)
        if not over.any():
            break
        free = np.where(over, cap, free)
        capped |= over
    return np.where(is_named, fixed, free)


def _calibrate(target: np.ndarray, weights: np.ndarray, mult: dict[str, np.ndarray]) -> np.ndarray:
    """Latent scores z with sum_k a_k m_ik exp(b_k z_i) / M_k == target_i (fixed point)."""
    ks = list(_INDEX_WEIGHTS)
    a = np.array([_INDEX_WEIGHTS[k] for k in ks])
    b = np.array([_RATE_SPECS[k]["b"] for k in ks])
    m = np.stack([mult[k] for k in ks], axis=1)  # areas × k
    z = np.log(target)
    w = weights / weights.sum()
    for _ in range(60):
        norm = (w[:, None] * m * np.exp(b[None, :] * z[:, None])).sum(axis=0)  # M_k
        lo, hi = np.full_like(z, -6.0), np.full_like(z, 4.0)
        for _ in range(60):
            mid = (lo + hi) / 2
            val = (a[None, :] * m * np.exp(b[None, :] * mid[:, None]) / norm[None, :]).sum(axis=1)
            too_high = val > target
            hi = np.where(too_high, mid, hi)
            lo = np.where(too_high, lo, mid)
        z = (lo + hi) / 2
    return z


def _distance_km(areas: pd.DataFrame) -> np.ndarray:
    """Distance from each stadsdel's (vertex-mean) centroid to T-Centralen."""
    geo = json.loads((raw_dir() / "geo" / "stadsdelar.geo.json").read_text(encoding="utf-8"))
    centroids = {}
    for feat in geo["features"]:
        geom = feat["geometry"]
        rings = [geom["coordinates"][0]] if geom["type"] == "Polygon" else [p[0] for p in geom["coordinates"]]
        pts = np.array([pt for ring in rings for pt in ring], dtype=float)
        centroids[slugify(feat["properties"]["name"])] = pts.mean(axis=0)
    out = []
    for name in areas["stadsdel"]:
        lon, lat = centroids.get(slugify(name), T_CENTRALEN)
        dx = (lon - T_CENTRALEN[0]) * 111.32 * np.cos(np.radians(T_CENTRALEN[1]))
        dy = (lat - T_CENTRALEN[1]) * 110.57
        out.append(float(np.hypot(dx, dy)))
    return np.array(out)


def generate(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Generate the demo data set (raw format, see docs/CONTRACTS.md), deterministically.

    Returns columns ``omrade, omradesniva, indikator, ar, taljare, namnare, varde, status, kalla``
    with ``taljare``/``namnare`` as nullable integers and ``varde`` rounded to one decimal
    (counts: the count). Rates whose denominator is 0 have no value and status ``..``.
    Rows are sorted by indicator, level, area name and year.
    """
    rng = np.random.default_rng(seed)
    areas = stadsdelar().sort_values("stadsdel_code").reset_index(drop=True)
    names = areas["stadsdel"].to_numpy()
    n, ny = len(areas), len(YEARS)
    yidx = {y: j for j, y in enumerate(YEARS)}
    source_demo = SOURCE_DEMO.format(seed=seed)
    programme = areas["programme"].to_numpy(bool)
    inner = areas[borough_column()].isin(INNER_CITY_BOROUGHS).to_numpy()
    villa = areas["stadsdel"].isin(VILLA_AREAS).to_numpy()
    core = programme & areas[borough_column()].isin(DEPRIVED_CORE_BOROUGHS).to_numpy()

    pop = _population(rng, areas)
    pop12 = pop[:, yidx[CALIBRATION_YEAR]].astype(float)

    # area multipliers per indicator (1 unless stated)
    mult = {k: np.ones(n) for k in _RATE_SPECS}
    mult["anmalda_brott"] = areas["stadsdel"].map(CRIME_MULTIPLIER).fillna(1.0).to_numpy(float)
    mult["psykisk_ohalsa"] = np.where(inner, 1.1, 1.0)
    target = _targets(areas, rng, pop12)
    z0 = _calibrate(target, pop12, mult)
    drift = np.where(core, DRIFT["deprived_core"], np.where(programme, DRIFT["programme"], DRIFT["other"]))
    drift = drift + areas["stadsdel"].map(DRIFT_EXTRA).fillna(0.0).to_numpy(float)
    # AR(1) common shock
    u = np.zeros((n, ny))
    u[:, 0] = rng.normal(0, 0.012, n)
    for j in range(1, ny):
        u[:, j] = 0.6 * u[:, j - 1] + rng.normal(0, 0.01, n)
    years = np.array(YEARS)
    z = z0[:, None] + drift[:, None] * (years[None, :] - CALIBRATION_YEAR) + u

    # normalisation M_k at calibration (pop weights, loading)
    w = pop12 / pop12.sum()
    norm = {k: float((w * mult[k] * np.exp(s["b"] * z0)).sum()) for k, s in _RATE_SPECS.items()}

    def rate(k: str) -> np.ndarray:
        s = _RATE_SPECS[k]
        trend = np.array([_trend(s, y) for y in YEARS])
        eps = rng.normal(0, s["sd"], (n, ny))
        r = s["base"] * trend[None, :] * mult[k][:, None] * np.exp(s["b"] * z + eps) / norm[k]
        return r

    # age structure / denominators
    f2064 = np.clip(0.63 + 0.07 * inner - 0.07 * villa - 0.02 * programme + rng.normal(0, 0.015, n), 0.45, 0.8)
    f1664 = f2064 + 0.04
    f9 = np.clip(0.010 - 0.003 * inner + 0.004 * villa + 0.003 * programme + rng.normal(0, 0.001, n), 0.003, 0.02)

    rows: list[tuple] = []

    def emit_share(k: str, num: np.ndarray, den: np.ndarray, scale: float, first_year: int = YEARS[0]):
        for i in range(n):
            for j, year in enumerate(YEARS):
                if year < first_year:
                    continue
                d, t = int(den[i, j]), int(num[i, j])
                if d <= 0:
                    rows.append((names[i], "stadsdel", k, year, t, d, np.nan, "..", source_demo))
                else:
                    rows.append((names[i], "stadsdel", k, year, t, d, round(t / d * scale, 1), "", source_demo))

    def binom(den: np.ndarray, p: np.ndarray) -> np.ndarray:
        return rng.binomial(den, np.clip(p, 0.0, 0.97))

    # folkmängd
    for i in range(n):
        for j, year in enumerate(YEARS):
            src = SOURCE_REAL if year in REAL_POPULATION_YEARS else source_demo
            rows.append((names[i], "stadsdel", "folkmangd", year, None, None, float(pop[i, j]), "", src))

    # economic assistance (with planted truth)
    r_eb = rate("ekonomiskt_bistand")
    for j, year in enumerate(YEARS):
        if year >= PROGRAMME_START:
            effect = (1 + PLANTED_EFFECT_EKONOMISKT_BISTAND) ** (year - PROGRAMME_START + 1)
            shock = REFUGEE_SHOCK_EKONOMISKT_BISTAND.get(year, 1.0)
            r_eb[programme, j] *= effect * shock
    eb_num = binom(pop, r_eb)
    emit_share("ekonomiskt_bistand", eb_num, pop, 100)

    den2064 = rng.binomial(pop, np.repeat(f2064[:, None], ny, axis=1))
    emit_share("sysselsattning", binom(den2064, 1 - rate("sysselsattning")), den2064, 100)

    pupils = rng.poisson(pop * f9[:, None])
    emit_share("behorighet_gymnasiet", binom(pupils, 1 - rate("behorighet_gymnasiet")), pupils, 100)
    emit_share("kunskapskrav_ak9_exkl_nyanlanda", binom(pupils, 1 - rate("kunskapskrav_ak9_exkl_nyanlanda")),
               pupils, 100)
    emit_share("trangboddhet", binom(pop, rate("trangboddhet")), pop, 100)

    den1664 = rng.binomial(pop, np.repeat(f1664[:, None], ny, axis=1))
    days = np.round(den1664 * rate("ohalsotal")).astype(np.int64)
    emit_share("ohalsotal", days, den1664, 1)
    emit_share("psykisk_ohalsa", binom(den1664, rate("psykisk_ohalsa")), den1664, 100)

    r_crime = rate("anmalda_brott")  # PLANTED_EFFECT_ANMALDA_BROTT == 0: no programme term
    if PLANTED_EFFECT_ANMALDA_BROTT:
        raise AssertionError("planted crime effect is documented as zero")
    crimes = rng.poisson(pop * r_crime)
    emit_share("anmalda_brott", crimes, pop, 1000)

    # surveys: respondents scale with population, none in tiny areas
    resp_mean = 400 * np.minimum(1.0, (np.maximum(pop, 0) / 20000.0) ** 0.6)
    for k in SURVEY_INDICATORS:
        resp = np.where(pop < SURVEY_MIN_POPULATION, 0,
                        np.maximum(1, np.round(resp_mean * np.exp(rng.normal(0, 0.1, (n, ny)))))).astype(np.int64)
        r = rate(k)
        p = 1 - r if _RATE_SPECS[k].get("complement") else r
        emit_share(k, binom(resp, p), resp, 100)

    # Jobbtorg: aspirants who left, from 2008
    aspirants = rng.poisson(eb_num * 0.12)
    emit_share("jobbtorg_sjalvforsorjande", binom(aspirants, 1 - rate("jobbtorg_sjalvforsorjande")),
               aspirants, 100, first_year=JOBBTORG_FIRST_YEAR)

    # completed dwellings per 1 000 inhabitants: city level by year, persistent area booms
    city_build = dict(zip(YEARS, [6.0, 6.5, 6.0, 4.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 9.0, 10.0, 10.5, 9.5]))
    boom = np.zeros((n, ny))
    boom[:, 0] = rng.normal(0, 1.0, n)
    for j in range(1, ny):
        boom[:, j] = 0.7 * boom[:, j - 1] + rng.normal(0, 0.7, n)
    lam = pop * np.array([city_build[y] for y in YEARS])[None, :] / 1000 * np.exp(boom - 0.8)
    lam = lam * (pop > 0)
    completed = rng.poisson(lam)
    emit_share("fardigstallda_bostader", completed, pop, 1000)

    # travel time to T-Centralen: person-minutes / population
    km = _distance_km(areas)
    minutes = 6 + 2.2 * km + rng.normal(0, 1.5, n)
    minutes = np.maximum(minutes, 4)
    yearly = np.array([0.0 if y < 2017 else -0.5 for y in YEARS])
    person_min = np.round(pop * (minutes[:, None] + yearly[None, :] + rng.normal(0, 0.3, (n, ny)))).astype(np.int64)
    emit_share("restid_city", np.maximum(person_min, 0), pop, 1)

    # dwellings by tenure (counts)
    hh = np.where(inner, 1.7, np.where(villa, 2.6, 2.2))
    total = np.round(pop / hh[:, None]).astype(np.int64)
    a_hyr = 0.3 + 2.0 * z0 - 1.0 * villa
    a_br = 0.6 - 0.3 * z0 + 0.9 * inner
    a_ag = -2.5 + 3.0 * villa
    conv = np.where(inner, 0.03, 0.01)  # conversions rental -> tenant-owned per year
    shares = []
    for j, year in enumerate(YEARS):
        shift = conv * (year - YEARS[0])
        logits = np.stack([a_hyr - shift, a_br + shift, a_ag], axis=1) + rng.normal(0, 0.03, (n, 3))
        e = np.exp(logits)
        shares.append(e / e.sum(axis=1, keepdims=True))
    shares = np.stack(shares, axis=1)  # n × ny × 3
    counts = {}
    for c, k in enumerate(("bostader_hyresratt", "bostader_bostadsratt", "bostader_aganderatt")):
        counts[k] = np.round(total * shares[:, :, c]).astype(np.int64)
        for i in range(n):
            for j, year in enumerate(YEARS):
                rows.append((names[i], "stadsdel", k, year, None, None, float(counts[k][i, j]), "", source_demo))

    # energy use in public housing: kWh / m²; no public housing -> denominator 0
    public_share = np.where(programme, 0.7, np.where(villa, 0.0, 0.35)) * np.exp(rng.normal(0, 0.2, n))
    public_share = np.clip(public_share, 0, 0.95)
    m2 = np.round(counts["bostader_hyresratt"] * public_share[:, None] * 68).astype(np.int64)
    intensity = 150 * np.exp(-0.015 * (years - YEARS[0]))[None, :] * np.where(programme, 1.08, 1.0)[:, None]
    intensity = intensity * np.exp(rng.normal(0, 0.04, (n, ny)))
    kwh = np.round(m2 * intensity).astype(np.int64)
    emit_share("energianvandning", kwh, m2, 1)

    # share of the city's workplaces: multinomial over areas, denominator = city total
    wp_weight = pop12 * areas["stadsdel"].map(WORKPLACE_WEIGHT).fillna(0.5).to_numpy(float)
    wp_weight = np.where(pop12 > 0, wp_weight, 200.0)  # industrial land without residents
    city_jobs = np.round(650_000 * 1.012 ** (years - YEARS[0])).astype(np.int64)
    for j in range(ny):
        p = wp_weight * np.exp(rng.normal(0, 0.05, n))
        jobs = rng.multinomial(city_jobs[j], p / p.sum())
        for i in range(n):
            rows.append((names[i], "stadsdel", "arbetsplatser_andel", YEARS[j], int(jobs[i]), int(city_jobs[j]),
                         round(jobs[i] / city_jobs[j] * 100, 1), "", source_demo))

    # national average for kunskapskrav (riket)
    spec = _RATE_SPECS["kunskapskrav_ak9_exkl_nyanlanda"]
    for year in YEARS:
        pupils_se = int(round(105_000 * (1 + 0.01 * (year - 2012))))
        p_ok = 1 - 0.23 * _trend(spec, year)
        t = int(rng.binomial(pupils_se, p_ok))
        rows.append(("Riket", "riket", "kunskapskrav_ak9_exkl_nyanlanda", year, t, pupils_se,
                     round(t / pupils_se * 100, 1), "", source_demo))

    out = pd.DataFrame(rows, columns=COLUMNS)
    out["ar"] = out["ar"].astype("int64")
    out["taljare"] = out["taljare"].astype("Int64")
    out["namnare"] = out["namnare"].astype("Int64")
    out["varde"] = out["varde"].astype(float)
    # plain string comparison = code-point order, independent of locale
    out = out.sort_values(["indikator", "omradesniva", "omrade", "ar"], kind="mergesort")
    return out.reset_index(drop=True)


def to_csv_text(frame: pd.DataFrame) -> str:
    """Serialise with fixed formatting: integers plain, values with one decimal (counts plain)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    counts = {"folkmangd", "bostader_hyresratt", "bostader_bostadsratt", "bostader_aganderatt"}
    for r in frame.itertuples(index=False):
        num = "" if pd.isna(r.taljare) else str(int(r.taljare))
        den = "" if pd.isna(r.namnare) else str(int(r.namnare))
        if pd.isna(r.varde):
            val = ""
        elif r.indikator in counts:
            val = str(int(r.varde))
        else:
            val = f"{r.varde:.1f}"
        writer.writerow([r.omrade, r.omradesniva, r.indikator, int(r.ar), num, den, val, r.status, r.kalla])
    return buf.getvalue()


def default_path() -> Path:
    return raw_dir() / "demo" / "indikatorer_2006-2020.csv"


def write(path: Path | str | None = None, seed: int = DEFAULT_SEED) -> Path:
    """Generate and write the demo CSV (UTF-8, ``\\n`` line ends); returns the path."""
    path = Path(path) if path is not None else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_csv_text(generate(seed)).encode("utf-8"))
    return path


if __name__ == "__main__":  # pragma: no cover
    written = write()
    print(f"skrev {written} ({written.stat().st_size} byte)")

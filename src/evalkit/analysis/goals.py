"""Goal status: has the indicator evalkit follows a programme goal with moved the right way?

:func:`goal_status` compares a baseline year (default 2014, the year before the programme
period) with a latest year (default 2020) for one area and gives every goal × indicator one
of four statuses: ``uppfyllt``, ``på väg``, ``ej uppfyllt``, ``kan ej bedömas``. The rule is
written once, in Swedish, in :data:`STATUS_RULE_SV` (shown verbatim in the reports):

1. No usable value (missing, or an official-statistics symbol such as ``..`` or ``x``) for the
   area in the baseline or latest year → ``kan ej bedömas``; the reason names the year(s).
2. Goals compared with a reference area (``direction == "at_least_reference"``, e.g. riket):
   latest ≥ the reference's latest → ``uppfyllt``; below, but the gap to the reference is
   smaller than in the baseline year → ``på väg``; otherwise ``ej uppfyllt`` (also when the
   reference's baseline is missing, so a narrowing cannot be shown). No reference value for the
   latest year → ``kan ej bedömas``.
3. Shares (catalogue ``kind == "andel"``) with numerator and denominator in both years: Wilson
   95 % intervals (``statsmodels`` ``proportion_confint(method="wilson")``) for both years.
   Right direction and non-overlapping intervals → ``uppfyllt``; right direction, overlapping
   → ``på väg``; wrong direction, non-overlapping → ``ej uppfyllt``; wrong direction or no
   change, overlapping → ``kan ej bedömas`` (the change lies within the statistical
   uncertainty). Conservative on purpose: a decline that may be noise is not called a failure,
   and an improvement that may be noise is not called a success.
4. All other indicators (counts, rates, means, indices such as ``index_sociala_risker``, and
   shares without numerator/denominator): relative change ``(latest − baseline) / |baseline|``
   of more than 2 % in the goal's direction → ``uppfyllt``; 2 % or less either way →
   ``kan ej bedömas`` (unchanged); more than 2 % the wrong way → ``ej uppfyllt``.

The function is pure: it only reads files through the default loaders of
:mod:`evalkit.programme` when ``goals``, ``links`` or ``catalogue`` are not given.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from evalkit.data import SYNTHETIC_MARK

UPPFYLLT = "uppfyllt"
PA_VAG = "på väg"
EJ_UPPFYLLT = "ej uppfyllt"
KAN_EJ_BEDOMAS = "kan ej bedömas"
STATUSES = (UPPFYLLT, PA_VAG, EJ_UPPFYLLT, KAN_EJ_BEDOMAS)

#: Relative change (share of the baseline) within which a non-share indicator counts as unchanged.
STABLE_THRESHOLD = 0.02
#: Confidence level of the Wilson intervals for shares.
CONFIDENCE = 0.95

STATUS_RULE_SV = (
    "Målens status bedöms per mål och indikator genom att jämföra basåret med det senaste året "
    "i området (normalt 2014 och 2020). Indikatorerna är valda av evalkit; programmet anger "
    "inga egna indikatorer. "
    "(1) Saknas uppgift för basåret eller det senaste året (inget värde, eller en symbol som "
    "”..” eller ”x”) är statusen ”kan ej bedömas”, och det anges vilket år som saknas. Det "
    "gäller också när det ena året bygger på syntetiska demodata och det andra på verklig "
    "statistik: de två värdena går då inte att jämföra. "
    "(2) Mål som jämförs med riket: är områdets värde det senaste året minst lika högt som "
    "rikets samma år är målet ”uppfyllt”; ligger det under riket men avståndet till riket har "
    "minskat sedan basåret är det ”på väg”; annars ”ej uppfyllt”. Saknas rikets värde för det "
    "senaste året blir statusen ”kan ej bedömas”. "
    "(3) Andelar med känd täljare och nämnare: för båda åren beräknas 95-procentiga "
    "konfidensintervall (Wilsons metod). Förändring i målets riktning där intervallen inte "
    "överlappar ger ”uppfyllt”; förändring i målets riktning där intervallen överlappar ger "
    "”på väg”, eftersom förändringen inte kan skiljas från slumpmässig variation. Förändring "
    "mot målets riktning där intervallen inte överlappar ger ”ej uppfyllt”; förändring mot "
    "målets riktning (eller ingen förändring) där intervallen överlappar ger ”kan ej bedömas”, "
    "eftersom förändringen ryms inom den statistiska osäkerheten. "
    "(4) Övriga indikatorer (antal, kvoter, medelvärden och index, t.ex. indexet för sociala "
    "risker, samt andelar utan täljare och nämnare) saknar osäkerhetsmått: en förändring på "
    "mer än 2 procent av basårets värde i målets riktning ger ”uppfyllt”, en förändring på "
    "högst 2 procent åt något håll räknas som oförändrat och ger ”kan ej bedömas”, och en "
    "förändring på mer än 2 procent mot målets riktning ger ”ej uppfyllt”."
)

OUTPUT_COLUMNS = [
    "area_code", "goal_id", "goal_number", "malomrade", "malomrade_label_sv", "heading_sv",
    "text_sv", "indicator", "label_sv", "unit", "direction",
    "baseline_year", "baseline", "latest_year", "latest", "change", "change_unit", "reference",
    "status", "reason_sv",
    "baseline_status", "latest_status",
    "baseline_ci_low", "baseline_ci_high", "latest_ci_low", "latest_ci_high",
]


# ---------------------------------------------------------------------------------------------
# Formatting helpers (Swedish: decimal comma, true minus sign)


def _num(x: float, decimals: int = 1) -> str:
    text = f"{abs(x):,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return ("\u2212" if x < 0 and float(f"{abs(x):.{decimals}f}") != 0 else "") + text


def _decimals(unit: str) -> int:
    return 2 if unit.startswith("index 0") else 1


def _val(x: float, unit: str) -> str:
    text = _num(x, _decimals(unit))
    if unit == "procent":
        return f"{text}\u00a0%"
    if unit.startswith("index") or not unit:
        return text
    return f"{text} {unit}"


def _signed(x: float, decimals: int, unit: str) -> str:
    sign = "+" if x > 0 else ("\u2212" if x < 0 else "±")
    return f"{sign}{_num(abs(x), decimals)} {unit}".rstrip()


# ---------------------------------------------------------------------------------------------


def _observation(table: pd.DataFrame, area: str, indicator: str, year: int) -> dict:
    """The area's row for indicator × year as a dict (value NaN when absent or symbol)."""
    rows = table[(table["area_code"] == area) & (table["indicator"] == indicator) & (table["year"] == year)]
    if len(rows) > 1:
        raise ValueError(
            f"tidy table has {len(rows)} rows for area_code={area!r}, indicator={indicator!r}, "
            f"year={year}; expected at most one"
        )
    if rows.empty:
        return {"value": math.nan, "status": "", "numerator": math.nan, "denominator": math.nan, "present": False,
                "basis": "verklig"}
    r = rows.iloc[0]
    status = r["status"]
    value = float(r["value"]) if not status else math.nan
    return {
        "value": value,
        "status": status,
        "numerator": float(r["numerator"]),
        "denominator": float(r["denominator"]),
        "present": True,
        "basis": data_basis(str(r.get("source", "") or "")),
    }


#: What a value rests on, as the status reason says it.
BASIS_SV = {"syntetisk": "syntetiska demodata", "verklig": "verklig statistik",
            "blandad": "delvis syntetiska demodata och delvis verklig statistik"}


def data_basis(source: str) -> str:
    """``syntetisk``, ``verklig`` or ``blandad`` (an aggregate or derived value whose parts mix both).

    ``source`` lists its parts separated by "; "; parts naming evalkit's own derivation
    ("evalkit: härlett …", "evalkit: beräknat index …") say nothing about the data and are ignored.
    """
    parts = [p.strip().lower() for p in source.split("; ") if p.strip()]
    synthetic = any(SYNTHETIC_MARK in p for p in parts)
    real = any(SYNTHETIC_MARK not in p and not p.startswith("evalkit:") for p in parts)
    if synthetic and real:
        return "blandad"
    return "syntetisk" if synthetic else "verklig"


def _usable(obs: dict) -> bool:
    return not obs["status"] and math.isfinite(obs["value"])


def _missing_text(year: int, obs: dict) -> str:
    if obs["status"]:
        return f"{year} ({obs['status']})"
    return f"{year}"


def _wilson(obs: dict, scale: float) -> tuple[float, float] | None:
    num, den = obs["numerator"], obs["denominator"]
    if not (math.isfinite(num) and math.isfinite(den)) or den <= 0 or num < 0 or num > den:
        return None
    low, high = proportion_confint(num, den, alpha=1 - CONFIDENCE, method="wilson")
    s = scale if math.isfinite(scale) else 1.0
    return float(low) * s, float(high) * s


def _moved(change: float, direction: str) -> int:
    """+1 if the change goes the goal's way, −1 if against it, 0 if none."""
    if change == 0:
        return 0
    good = change > 0 if direction == "increase" else change < 0
    return 1 if good else -1


def _verb(change: float) -> str:
    return "Ökade" if change > 0 else ("Minskade" if change < 0 else "Oförändrat")


def _prepare(tidy: pd.DataFrame) -> pd.DataFrame:
    needed = ["area_code", "indicator", "year", "value"]
    missing = [c for c in needed if c not in tidy.columns]
    if missing:
        raise ValueError(f"tidy table lacks column(s): {', '.join(missing)}")
    t = tidy.copy()
    for col in ("numerator", "denominator"):
        if col not in t.columns:
            t[col] = np.nan
        t[col] = pd.to_numeric(t[col], errors="coerce")
    if "status" not in t.columns:
        t["status"] = ""
    t["status"] = t["status"].fillna("").astype(str)
    t["value"] = pd.to_numeric(t["value"], errors="coerce")
    t["year"] = pd.to_numeric(t["year"], errors="coerce")
    t["area_code"] = t["area_code"].astype(str)
    t["indicator"] = t["indicator"].astype(str)
    return t


def goal_status(
    tidy: pd.DataFrame,
    area_code: str,
    baseline_year: int = 2014,
    latest_year: int = 2020,
    goals: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    catalogue: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Status of every programme goal × indicator for one area, in programme order.

    Parameters
    ----------
    tidy
        Tidy indicator table (``area_code, indicator, year, value, status, numerator,
        denominator`` are used; see docs/CONTRACTS.md). May hold many areas; only
        ``area_code`` and, for reference goals, the reference area (e.g. ``riket``) are read.
    area_code
        The area to assess, e.g. ``"programomradet"`` or ``"sd-tensta"``.
    baseline_year, latest_year
        The two years compared (default 2014 and 2020).
    goals, links, catalogue
        ``evalkit.programme.goals()``, ``goal_indicators()`` and ``indicator_catalogue()``;
        loaded from ``data/raw/programme`` when ``None``.

    Returns
    -------
    DataFrame with one row per goal × indicator (columns :data:`OUTPUT_COLUMNS`): the goal
    (``goal_id, goal_number, malomrade, malomrade_label_sv, heading_sv, text_sv``), the
    indicator (``indicator, label_sv, unit, direction``), ``baseline_year, baseline,
    latest_year, latest, change`` (latest − baseline, in ``change_unit``: "procentenheter" for
    shares, else the catalogue unit), ``reference`` (the reference area's latest value for
    ``at_least_reference`` goals, else NaN), ``status`` and ``reason_sv``; plus the status
    symbols of the two values and, for shares, the Wilson interval bounds (in value units).

    Status rule (the same as :data:`STATUS_RULE_SV`):

    1. no value for the area in baseline or latest year (missing or a status symbol)
       → ``kan ej bedömas`` (the reason says which year); likewise when the two values rest on
       different data (:func:`data_basis`: synthetic demo data, real statistics, or a mix);
    2. ``at_least_reference``: latest ≥ reference's latest → ``uppfyllt``; below but the gap
       narrowed since the baseline year → ``på väg``; otherwise ``ej uppfyllt``; reference
       missing for the latest year → ``kan ej bedömas``;
    3. shares with numerator/denominator: Wilson 95 % intervals; right direction &
       non-overlapping → ``uppfyllt``; right direction & overlapping → ``på väg``; wrong
       direction & non-overlapping → ``ej uppfyllt``; wrong direction or no change &
       overlapping → ``kan ej bedömas``;
    4. other indicators: relative change > 2 % in the right direction → ``uppfyllt``,
       ≤ 2 % either way → ``kan ej bedömas`` (unchanged), > 2 % the wrong way → ``ej uppfyllt``.
    """
    if goals is None or links is None or catalogue is None:
        from evalkit import programme

        goals = programme.goals() if goals is None else goals
        links = programme.goal_indicators() if links is None else links
        catalogue = programme.indicator_catalogue() if catalogue is None else catalogue

    t = _prepare(tidy)
    if not (t["area_code"] == area_code).any():
        raise ValueError(f"area_code {area_code!r} does not occur in the tidy table")

    cat = catalogue.set_index("indicator")
    rows: list[dict] = []
    for _, goal in goals.iterrows():
        for _, link in links[links["goal_id"] == goal["goal_id"]].iterrows():
            ind = link["indicator"]
            if ind not in cat.index:
                raise ValueError(f"indicator {ind!r} (goal {goal['goal_id']}) is not in the catalogue")
            meta = cat.loc[ind]
            kind = str(meta.get("kind", ""))
            unit = str(meta.get("unit", ""))
            scale = float(meta["scale"]) if pd.notna(meta.get("scale")) and meta.get("scale") != "" else math.nan
            direction = link["direction"]
            reference_area = str(link.get("reference_area", "") or "")
            is_share = kind == "andel"
            change_unit = "procentenheter" if is_share else unit

            base = _observation(t, area_code, ind, baseline_year)
            last = _observation(t, area_code, ind, latest_year)
            row = {
                "area_code": area_code,
                "goal_id": goal["goal_id"],
                "goal_number": goal.get("goal_number", ""),
                "malomrade": goal["malomrade"],
                "malomrade_label_sv": goal.get("malomrade_label_sv", ""),
                "heading_sv": goal.get("heading_sv", ""),
                "text_sv": goal.get("text_sv", ""),
                "indicator": ind,
                "label_sv": meta.get("label_sv", ""),
                "unit": unit,
                "direction": direction,
                "baseline_year": baseline_year,
                "baseline": base["value"],
                "latest_year": latest_year,
                "latest": last["value"],
                "change": math.nan,
                "change_unit": change_unit,
                "reference": math.nan,
                "status": KAN_EJ_BEDOMAS,
                "reason_sv": "",
                "baseline_status": base["status"],
                "latest_status": last["status"],
                "baseline_ci_low": math.nan,
                "baseline_ci_high": math.nan,
                "latest_ci_low": math.nan,
                "latest_ci_high": math.nan,
            }

            if direction == "at_least_reference":
                ref_last = _observation(t, reference_area, ind, latest_year)
                if _usable(ref_last):
                    row["reference"] = ref_last["value"]

            # Rule 1: missing data.
            missing = [
                _missing_text(y, o) for y, o in ((baseline_year, base), (latest_year, last)) if not _usable(o)
            ]
            if missing:
                row["reason_sv"] = "Uppgift saknas för " + " och ".join(missing) + "."
                rows.append(row)
                continue
            # Rule 1b: values resting on different data (synthetic, real, or an aggregate mixing
            # both) are not comparable: a series break, e.g. demo data for 2014 and real SCB data
            # for 2020 in the bundled data.
            if base["basis"] != last["basis"]:
                row["reason_sv"] = (f"Värdet för {baseline_year} bygger på {BASIS_SV[base['basis']]} och värdet för "
                                    f"{latest_year} på {BASIS_SV[last['basis']]}; de går inte att jämföra.")
                rows.append(row)
                continue

            b, l = base["value"], last["value"]
            change = l - b
            row["change"] = change
            dec = _decimals(unit)
            moved = f"{_val(b, unit)} {baseline_year} till {_val(l, unit)} {latest_year}"

            if is_share:
                ci_b, ci_l = _wilson(base, scale), _wilson(last, scale)
                if ci_b is not None and ci_l is not None:
                    row["baseline_ci_low"], row["baseline_ci_high"] = ci_b
                    row["latest_ci_low"], row["latest_ci_high"] = ci_l

            # Rule 2: comparison with a reference area.
            if direction == "at_least_reference":
                ref_name = reference_area or "referensområdet"
                ref = row["reference"]
                if not math.isfinite(ref):
                    row["reason_sv"] = f"Uppgift saknas för {ref_name} {latest_year}; jämförelsen kan inte göras."
                elif l >= ref:
                    row["status"] = UPPFYLLT
                    row["reason_sv"] = (
                        f"{latest_year}: {_val(l, unit)} mot {ref_name} {_val(ref, unit)}; "
                        f"minst i nivå med {ref_name}."
                    )
                else:
                    gap_l = ref - l
                    ref_base = _observation(t, reference_area, ind, baseline_year)
                    if not _usable(ref_base):
                        row["status"] = EJ_UPPFYLLT
                        row["reason_sv"] = (
                            f"{latest_year}: {_val(l, unit)} mot {ref_name} {_val(ref, unit)}, under {ref_name}; "
                            f"uppgift för {ref_name} {baseline_year} saknas, så en minskning av avståndet "
                            f"kan inte visas."
                        )
                    else:
                        gap_b = ref_base["value"] - b
                        gaps = (
                            f"avståndet till {ref_name} var {_num(gap_b, dec)} {change_unit} {baseline_year} "
                            f"och {_num(gap_l, dec)} {change_unit} {latest_year}"
                        )
                        if gap_l < gap_b:
                            row["status"] = PA_VAG
                            row["reason_sv"] = f"Under {ref_name} men närmare: {gaps}."
                        else:
                            row["status"] = EJ_UPPFYLLT
                            row["reason_sv"] = f"Under {ref_name} och inte närmare: {gaps}."
                rows.append(row)
                continue

            if direction not in ("increase", "decrease"):
                row["reason_sv"] = f"Okänd riktning {direction!r}; kan inte bedömas."
                rows.append(row)
                continue

            sign = _moved(change, direction)
            ci_ok = math.isfinite(row["baseline_ci_low"])
            # Rule 3: shares with Wilson intervals.
            if is_share and ci_ok:
                overlap = not (
                    row["latest_ci_low"] > row["baseline_ci_high"] or row["latest_ci_high"] < row["baseline_ci_low"]
                )
                delta = _signed(change, dec, change_unit)
                if sign > 0 and not overlap:
                    row["status"] = UPPFYLLT
                    row["reason_sv"] = (
                        f"{_verb(change)} från {moved} ({delta}); 95 %-konfidensintervallen överlappar inte."
                    )
                elif sign > 0:
                    row["status"] = PA_VAG
                    row["reason_sv"] = (
                        f"{_verb(change)} från {moved} ({delta}), i målets riktning, men 95 %-konfidensintervallen "
                        f"överlappar: förändringen kan inte skiljas från slumpmässig variation."
                    )
                elif sign < 0 and not overlap:
                    row["status"] = EJ_UPPFYLLT
                    row["reason_sv"] = (
                        f"{_verb(change)} från {moved} ({delta}), mot målets riktning; "
                        f"95 %-konfidensintervallen överlappar inte."
                    )
                else:
                    row["status"] = KAN_EJ_BEDOMAS
                    row["reason_sv"] = (
                        f"Förändringen ryms inom den statistiska osäkerheten: från {moved} ({delta}); "
                        f"95 %-konfidensintervallen överlappar."
                    )
                rows.append(row)
                continue

            # Rule 4: everything else, relative change with a ±2 % band.
            if b == 0:
                rel = 0.0 if l == 0 else math.copysign(math.inf, change)
            else:
                rel = change / abs(b)
            rel_text = "" if not math.isfinite(rel) else f", {_signed(rel * 100, 1, '%')}"
            note = " (andel utan täljare och nämnare, bedömd utan konfidensintervall)" if is_share else ""
            if abs(rel) <= STABLE_THRESHOLD:
                row["status"] = KAN_EJ_BEDOMAS
                row["reason_sv"] = (
                    f"Oförändrat: från {moved}{rel_text}, en förändring på högst 2 %{note}."
                )
            elif sign > 0:
                row["status"] = UPPFYLLT
                row["reason_sv"] = f"{_verb(change)} från {moved}{rel_text}, i målets riktning{note}."
            else:
                row["status"] = EJ_UPPFYLLT
                row["reason_sv"] = f"{_verb(change)} från {moved}{rel_text}, mot målets riktning{note}."
            rows.append(row)

    out = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
    for col in ("baseline", "latest", "change", "reference", "baseline_ci_low", "baseline_ci_high",
                "latest_ci_low", "latest_ci_high"):
        out[col] = out[col].astype(float)
    return out.reset_index(drop=True)

"""Swedish text for ``evalkit effects``: the estimates of :mod:`evalkit.analysis.panel_effects` as a
plain-text table (decimal comma, `−` for minus, `95 % KI`), and the same numbers as CSV rows.

Words only: every number comes from the result dict (``PanelEffects.as_dict()``), nothing is
computed here but the number of decimals (from the standard error, so that an estimate is shown
to about two significant digits of its uncertainty).
"""

from __future__ import annotations

import math

import pandas as pd

from evalkit.present.format import number

#: Rows of the CSV written by ``--csv``: one per estimate (machine-readable, dot decimals).
CSV_COLUMNS = ["estimator", "first_year", "year", "relative", "estimate", "se", "ci_low", "ci_high", "p_value",
               "n_areas", "n_treated", "draws"]


def decimals_for(se) -> int:
    """Decimals that show a number to about two significant digits of its standard error."""
    if se is None or not se or (isinstance(se, float) and not math.isfinite(se)):
        return 2
    return max(0, min(6, 1 - math.floor(math.log10(abs(se)))))


def _p(p) -> str:
    if p is None:
        return ""
    return "< 0,001" if p < 0.001 else number(p, 3)


def _ci(low, high, dec: int) -> str:
    if low is None or high is None:
        return ""
    return f"{number(low, dec)} till {number(high, dec)}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return [fmt(header)] + [fmt(r) for r in rows]


def table_text(result: dict, source: str, level: float = 0.95) -> str:
    """The Swedish table ``evalkit effects`` prints (``result`` = ``FileEffects.as_dict()``)."""
    s, did, rows = result["settings"], result["did"], result.get("rows", {})
    dec = decimals_for(did["se"])
    ki = f"{number(100 * level)} % KI"
    lines = [f"evalkit effects: {source}"]
    if rows:
        ok = "stämmer" if rows["read"] == rows["used"] + rows["set_aside"] else "STÄMMER INTE"
        lines.append(f"Rader: lästa {number(rows['read'])}, använda {number(rows['used'])}, "
                     f"undantagna {number(rows['set_aside'])} ({ok})")
    weights = "befolkningen (nämnaren)" if s["weights"] == "population" else "inga (varje område väger lika)"
    outcome = "logaritmen (effekt i logpunkter ≈ relativ förändring)" if s["outcome"] == "log" else "nivå"
    if s.get("per"):
        outcome += f", per {number(s['per'])}"
    start = "olika startår (kohorter)" if s["staggered"] else f"start {s['start']}"
    lines.append(f"Panel: {number(s['n_areas'])} områden ({number(did['n_treated'])} behandlade), "
                 f"{s['years'][0]}–{s['years'][1]}, {start}, {number(did['n_obs'])} observationer; "
                 f"vikter: {weights}; utfall: {outcome}")
    lines.append("")
    head = ["Skattning", "Effekt", "Medelfel", ki, "p"]
    body = []
    if s["staggered"]:
        body.append(["Tvåstegsimputering, alla kohorter (did2s)", number(did["estimate"], dec), number(did["se"], dec),
                     _ci(did["ci_low"], did["ci_high"], dec), _p(did["p_value"])])
        for c in result["cohorts"]:
            body.append([f"  kohort {c['first_year']} ({c['n_treated']} områden)", number(c["estimate"], dec),
                         number(c["se"], dec), _ci(c["ci_low"], c["ci_high"], dec), _p(c["p_value"])])
    else:
        body.append(["Skillnad i skillnader (område- och årseffekter)", number(did["estimate"], dec),
                     number(did["se"], dec), _ci(did["ci_low"], did["ci_high"], dec), _p(did["p_value"])])
        ri, wb = result["ri"], result["wild_bootstrap"]
        body.append([f"Randomiseringsinferens ({number(ri['n_perm'])} omlottningar)", number(ri["estimate"], dec), "",
                     "", _p(ri["p_value"])])
        body.append([f"Vild klusterbootstrap ({number(wb['n_boot'])} dragningar)", number(wb["estimate"], dec), "",
                     _ci(wb["ci_low"], wb["ci_high"], dec), _p(wb["p_value"])])
    lines += _table(head, body)
    lines.append("Medelfel klustrade per område. Randomiseringsinferens och vild bootstrap ges bara vid ett "
                 "gemensamt startår." if s["staggered"] else "Medelfel klustrade per område.")
    lines.append("")
    if s["staggered"]:
        lines.append("Händelsestudie per kohort (Sun–Abraham, oviktad; referens: året före kohortens start)")
        head = ["Kohort", "År", "Relativt", "Effekt", "Medelfel", ki]
        body = [[str(e["first_year"]), str(e["year"]), str(e["relative"]), number(e["estimate"], dec),
                 number(e["se"], dec) if not e["reference"] else "ref.",
                 _ci(e["ci_low"], e["ci_high"], dec) if not e["reference"] else ""] for e in result["event_study"]]
    else:
        lines.append(f"Händelsestudie (skillnad mot {s['reference_year']})")
        head = ["År", "Effekt", "Medelfel", ki, "p"]
        body = [[str(e["year"]), number(e["estimate"], dec), number(e["se"], dec) if not e["reference"] else "ref.",
                 _ci(e["ci_low"], e["ci_high"], dec) if not e["reference"] else "", _p(e["p_value"])]
                for e in result["event_study"]]
    lines += _table(head, body)
    if not s["staggered"] and s.get("pretrend_p") is not None:
        lines.append(f"Gemensamt test att alla år före starten är 0 (parallella förtrender): p = {_p(s['pretrend_p'])}")
    return "\n".join(lines) + "\n"


def csv_rows(result: dict) -> pd.DataFrame:
    """The estimates as one table (``--csv``): ``estimator`` is did/twfe, did2s, cohort, ri,
    wild_bootstrap, event_study; numbers as numbers."""
    did, rows = result["did"], []
    rows.append({"estimator": did["estimator"], "estimate": did["estimate"], "se": did["se"],
                 "ci_low": did["ci_low"], "ci_high": did["ci_high"], "p_value": did["p_value"],
                 "n_areas": did["n_areas"], "n_treated": did["n_treated"]})
    for c in result["cohorts"]:
        rows.append({"estimator": "cohort", **{k: c[k] for k in ("first_year", "estimate", "se", "ci_low", "ci_high",
                                                                 "p_value", "n_treated")}})
    if result["ri"]:
        ri = result["ri"]
        rows.append({"estimator": "ri", "estimate": ri["estimate"], "p_value": ri["p_value"], "draws": ri["n_perm"],
                     "n_areas": ri["n_areas"], "n_treated": ri["n_treated"]})
    if result["wild_bootstrap"]:
        wb = result["wild_bootstrap"]
        rows.append({"estimator": "wild_bootstrap", "estimate": wb["estimate"], "ci_low": wb["ci_low"],
                     "ci_high": wb["ci_high"], "p_value": wb["p_value"], "draws": wb["n_boot"]})
    for e in result["event_study"]:
        rows.append({"estimator": "event_study", **{k: e.get(k) for k in ("first_year", "year", "relative", "estimate",
                                                                          "se", "ci_low", "ci_high", "p_value")}})
    return pd.DataFrame(rows).reindex(columns=CSV_COLUMNS)

#!/usr/bin/env python3
"""Can a model pooled over India's states say which districts change crime-rate tier next year better
than "same tier as last year"?  A check of T1's goal (issue 17, docs/fusion.md "Pooled over India").

Usage:
    python3 eval/python/tier_pooled.py [--data ../shared/data] [--seed 1]

T1 has 28 Tamil Nadu units, so its learners see a few hundred tier transitions.  The NCRB table of
2001-2012 (and 2013's) covers every state: this script builds T1's tiers for each state (thirds of the
state's units by IPC cases per census-2011 person) and asks whether learners fitted on thousands of
transitions find what T1's could not.

- Tiers as T1's (`tiersOf`): rank r of n (from 0) has tier floor(3r / n); the bounds are the lowest rate
  of the middle and of the high tier.
- Units: the table's district rows, police units of one district (rural, urban, city) summed, special
  units (railway, CID, totals, ...) left out; matched to the census's districts of the same state by
  name (difflib ratio >= 0.8, one unit per census district, census districts sharing a name key left
  out); kept when present in every year; states with at least 9 such units.
- Validation rows: every state but Tamil Nadu.  Models are fitted on them only, at a rolling origin:
  for target year t, on the transitions into years before t.  Tamil Nadu's rows (T1's region; its years
  2008-2013 are T1 test years) are printed after, scored by the same models, and are not a basis for any
  choice.
- Inputs, as T1's stacked fusion: last tier (one-hot), the last log rate's margins to last year's two tier
  bounds, the 3-year mean log rate's margins to them; and the tier of the year before, the last two
  yearly log-rate changes.
- Rows: persistence; the persistence prior P(next | last tier) counted on the training transitions;
  multinomial logistic regression; gradient-boosted trees (scikit-learn HistGradientBoosting).
  Accuracy and Brier (sum over the three classes, 0-2).

The first run creates .cache/python and pip-installs its packages (eval/python/pyenv.py).
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pyenv import ensure_environment  # noqa: E402

# Units that are not a district's police: railway, crime branches, totals and the like.
SPECIAL_UNIT = re.compile(
    r"TOTAL|RLY|RAILWAY|G\.?R\.?P|\bCID\b|CRIME BRANCH|CYBER|S\.?T\.?F|\bEOW\b|OTHER|\bATS\b|SPECIAL|"
    r"TRAFFIC|HARBOUR|AIRPORT",
    re.I,
)
# Words that split one district into police units (Madurai Rural and Madurai Urban); never a direction,
# which names distinct districts (East and West Godavari).
UNIT_WORDS = re.compile(r"\b(RURAL|URBAN|CITY|COMMR|DIST|DISTRICT)\b")
# The census's state names where the NCRB table spells them otherwise (after `state_key`).
STATE_ALIASES = {"ORISSA": "ODISHA", "PONDICHERRY": "PUDUCHERRY", "NCTOFDELHI": "DELHIUT"}
HOME = "TAMILNADU"  # state_key("Tamil Nadu")
MIN_UNITS = 9
FIRST_TARGET_OFFSET = 5  # the first target year has 5 years before it (3 for the inputs, 2 of training)


def name_key(name: str) -> str:
    key = UNIT_WORDS.sub(" ", name.upper().replace("&", "AND"))
    return re.sub(r"[^A-Z]", "", key)


def state_key(name: str) -> str:
    key = re.sub(r"[^A-Z]", "", name.upper().replace("&", "AND"))
    return STATE_ALIASES.get(key, key)


def unique_matches(keys: list[str], population: dict[str, float]) -> dict[str, str]:
    """Each unit key's census district (difflib ratio >= 0.8), one unit key per census district: when
    several match one, only the closest is kept (Mangalore is not Bangalore)."""
    best: dict[str, tuple[float, str]] = {}
    for key in keys:
        match = difflib.get_close_matches(key, list(population), n=1, cutoff=0.8)
        if not match:
            continue
        ratio = difflib.SequenceMatcher(None, key, match[0]).ratio()
        if match[0] not in best or ratio > best[match[0]][0]:
            best[match[0]] = (ratio, key)
    return {key: census for census, (_, key) in best.items()}


def log_rates(data: Path):
    """Log IPC cases per 100,000 people (census 2011), a (state, unit) x year table."""
    import numpy as np
    import pandas as pd

    ncrb = data / "ncrb"
    ipc = pd.read_csv(ncrb / "01_District_wise_crimes_committed_IPC_2001_2012.csv")
    ipc13 = pd.read_csv(ncrb / "01_District_wise_crimes_committed_IPC_2013.csv")
    ipc13.columns = [column.upper() for column in ipc13.columns]
    ipc = pd.concat([ipc, ipc13[ipc.columns]], ignore_index=True)
    census = pd.read_csv(data / "census" / "india-districts-census-2011.csv",
                         usecols=["State name", "District name", "Population"])

    ipc = ipc.assign(state=ipc["STATE/UT"].map(state_key), unit=ipc["DISTRICT"].astype(str))
    ipc = ipc[~ipc["unit"].str.contains(SPECIAL_UNIT)]
    census = census.assign(state=census["State name"].map(state_key), key=census["District name"].map(name_key))
    rows = []
    for state, units in ipc.groupby("state"):
        districts = census[census["state"] == state]
        # Two census districts with one key (Bangalore, Bangalore Rural) are ambiguous: both are left out.
        ambiguous = set(districts["key"][districts["key"].duplicated()])
        population = {k: float(p) for k, p in zip(districts["key"], districts["Population"]) if k not in ambiguous}
        keyed = units.assign(key=units["unit"].map(name_key))
        matches = unique_matches(sorted(keyed["key"].unique()), population)
        for key, unit in keyed.groupby("key"):
            if key not in matches:
                continue
            census_key = matches[key]
            for year, cases in unit.groupby("YEAR")["TOTAL IPC CRIMES"].sum().items():
                rows.append((state, census_key, int(year), float(cases), population[census_key]))
    table = pd.DataFrame(rows, columns=["state", "unit", "year", "cases", "people"])
    table = table.groupby(["state", "unit", "year"], as_index=False).agg(
        cases=("cases", "sum"), people=("people", "first"))
    years = sorted(table["year"].unique())
    complete = table.groupby(["state", "unit"])["year"].nunique() == len(years)
    table = table.set_index(["state", "unit"]).loc[complete[complete].index].reset_index()
    sizes = table.groupby("state")["unit"].nunique()
    table = table[table["state"].isin(sizes[sizes >= MIN_UNITS].index)]
    table["rate"] = np.log((table["cases"] + 1) / table["people"] * 1e5)
    return table.pivot_table(index=["state", "unit"], columns="year", values="rate")


def tiers_and_bounds(rates):
    """Each unit's tier in its state, as T1's `tiersOf`: rank r of n (from 0, ties by order) has tier
    floor(3r / n); and the state's two bounds, T1's: the lowest rate of the middle and of the high tier."""
    import numpy as np
    import pandas as pd

    tier = pd.Series(0, index=rates.index, dtype=int)
    low = pd.Series(0.0, index=rates.index)
    high = pd.Series(0.0, index=rates.index)
    for _, state in rates.groupby(level=0):
        n = len(state)
        rank = state.rank(method="first").to_numpy() - 1
        tiers = np.floor(3 * rank / n).astype(int)
        tier[state.index] = tiers
        low[state.index] = state.to_numpy()[tiers == 1].min()
        high[state.index] = state.to_numpy()[tiers == 2].min()
    return tier, low, high


def transitions(rates):
    """One row per unit and target year: the inputs, the last tier and the target tier."""
    import pandas as pd

    years = list(rates.columns)
    tiers = {year: tiers_and_bounds(rates[year])[0] for year in years}
    frames = []
    for year in years[3:]:
        last = rates[year - 1]
        _, low, high = tiers_and_bounds(last)
        mean3 = rates[[year - 1, year - 2, year - 3]].mean(axis=1)
        frames.append(pd.DataFrame({
            "year": year,
            "last": tiers[year - 1],
            "before": tiers[year - 2],
            "margin_low": last - low,
            "margin_high": last - high,
            "mean3_low": mean3 - low,
            "mean3_high": mean3 - high,
            "change1": last - rates[year - 2],
            "change2": rates[year - 2] - rates[year - 3],
            "target": tiers[year],
        }))
    return pd.concat(frames)


def inputs(rows):
    import numpy as np

    eye = np.eye(3)
    numeric = rows[["margin_low", "margin_high", "mean3_low", "mean3_high", "change1", "change2"]]
    return np.column_stack([eye[rows["last"]], eye[rows["before"]], numeric.to_numpy()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ensure_environment(__file__)

    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    data = Path(args.data)
    if not (data / "ncrb").is_dir() or not (data / "census").is_dir():
        sys.exit(f"tier_pooled.py: {data} has no ncrb/ and census/ directories (--data)")
    rates = log_rates(data)
    rows = transitions(rates)
    home = rows.index.get_level_values(0) == HOME
    years = sorted(rows["year"].unique())
    targets = years[FIRST_TARGET_OFFSET - 3:]
    states = rates.index.get_level_values(0)
    print(f"{states.nunique()} states, {len(rates)} units matched to the census in every year "
          f"{rates.columns[0]}-{rates.columns[-1]} ({int((states == HOME).sum())} in Tamil Nadu); "
          f"target years {targets[0]}-{targets[-1]}, rolling origin", file=sys.stderr)

    names = ["persistence", "persistence prior", "logistic regression", "boosted trees"]
    scores = {group: {name: [0, 0.0] for name in names} for group in ("other", "home")}
    counted = {"other": 0, "home": 0}
    for target in targets:
        train = rows[(rows["year"] < target) & ~home]
        test = rows[rows["year"] == target]
        prior = np.full((3, 3), 1.0)  # Laplace-smoothed P(next | last), counted on the training rows
        np.add.at(prior, (train["last"], train["target"]), 1.0)
        prior /= prior.sum(axis=1, keepdims=True)
        logistic = LogisticRegression(max_iter=2000).fit(inputs(train), train["target"])
        trees = HistGradientBoostingClassifier(
            max_depth=3, learning_rate=0.05, max_iter=200, random_state=args.seed).fit(inputs(train), train["target"])
        probabilities = {
            "persistence": np.eye(3)[test["last"]],
            "persistence prior": prior[test["last"]],
            "logistic regression": logistic.predict_proba(inputs(test)),
            "boosted trees": trees.predict_proba(inputs(test)),
        }
        truth = np.eye(3)[test["target"]]
        in_home = test.index.get_level_values(0) == HOME
        for group, mask in (("other", ~in_home), ("home", in_home)):
            counted[group] += int(mask.sum())
            for name, p in probabilities.items():
                scores[group][name][0] += int((p[mask].argmax(axis=1) == test["target"].to_numpy()[mask]).sum())
                scores[group][name][1] += float(((p[mask] - truth[mask]) ** 2).sum())

    for group, title in (("other", "states other than Tamil Nadu (the validation rows)"),
                         ("home", "Tamil Nadu (T1's region; not a basis for any choice)")):
        n = counted[group]
        if n == 0:
            sys.exit(f"tier_pooled.py: no {title.split(' (')[0]} rows: the NCRB and census names did not match")
        print(f"\n{title}: {n} predictions")
        print(f"{'model':<22}{'accuracy':>10}{'brier':>8}")
        for name in names:
            right, brier = scores[group][name]
            print(f"{name:<22}{right / n:>10.3f}{brier / n:>8.3f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Fit Python Prophet on every series of a JSON file and print the timings and forecasts as JSON.

The reference side of `data/src/bench/forecast.bench.ts`: the TypeScript bench writes the series it
fitted with augurs (same settings, same transform) and compares fit time and MASE.

Usage:
    python3 eval/python/prophet_fit_bench.py SERIES.json [--out RESULT.json]

The first run creates the evaluation's virtual environment in `.cache/python` (repository root,
gitignored; see pyenv.py) and pip-installs `prophet` and `pandas` (and the rest of the reference stack)
into it, then re-runs itself there; later runs reuse it.

Input (JSON):
    {
      "settings": {                      # defaults for every series; each series may override them
        "transform": "sqrt",             # "none" | "sqrt" | "log1p": fit on this scale, back-transform
        "intervalWidth": 0.8,
        "uncertaintySamples": 1000,
        "weekly": true, "daily": false, "yearly": false,   # bool, or a Fourier order
        "nChangepoints": 25, "changepointRange": 0.8,
        "changepointPriorScale": 0.05, "seasonalityPriorScale": 10, "holidaysPriorScale": 10,
        "holidays": [{"name": "pongal", "dates": ["2024-01-15"]}],   # local dates, one day each
        "utcOffsetSeconds": 19800,       # local time = epoch + offset (dates of holidays are local)
        "seed": 42
      },
      "series": [{"name": "TN-ARI/crime_body", "ds": [1700000000, ...], "y": [3, 0, ...],
                  "horizon": 28, "settings": {...}}]
    }
`ds` are epoch seconds. Output (stdout, JSON): engine versions; per series fit and predict seconds and
the future `point`, `lower`, `upper` (back-transformed, clamped at 0); totals.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from pathlib import Path

from pyenv import ensure_environment, write_result

DEFAULTS = {
    "transform": "sqrt",
    "intervalWidth": 0.8,
    "uncertaintySamples": 1000,
    "weekly": True,
    "daily": False,
    "yearly": False,
    "nChangepoints": 25,
    "changepointRange": 0.8,
    "changepointPriorScale": 0.05,
    "seasonalityPriorScale": 10.0,
    "holidaysPriorScale": 10.0,
    "holidays": [],
    "utcOffsetSeconds": 0,
    "seed": 42,
}


def forward(transform: str, y):
    import numpy as np

    y = np.asarray(y, dtype=float)
    if transform == "sqrt":
        return np.sqrt(y)
    if transform == "log1p":
        return np.log1p(y)
    if transform == "none":
        return y
    raise ValueError(f"unknown transform {transform!r}")


def inverse(transform: str, z):
    import numpy as np

    z = np.asarray(z, dtype=float)
    if transform == "sqrt":
        return np.square(np.maximum(z, 0.0))
    if transform == "log1p":
        return np.maximum(np.expm1(z), 0.0)
    return np.maximum(z, 0.0)


def fit_one(series: dict, settings: dict) -> dict:
    import numpy as np
    import pandas as pd
    from prophet import Prophet

    s = {**settings, **series.get("settings", {})}
    offset = int(s["utcOffsetSeconds"])
    ds = pd.to_datetime(np.asarray(series["ds"], dtype=np.int64) + offset, unit="s")
    frame = pd.DataFrame({"ds": ds, "y": forward(s["transform"], series["y"])})
    holidays = None
    if s["holidays"]:
        rows = [(h["name"], pd.Timestamp(d)) for h in s["holidays"] for d in h["dates"]]
        holidays = pd.DataFrame(rows, columns=["holiday", "ds"])
        holidays["lower_window"] = 0
        holidays["upper_window"] = 0
    np.random.seed(int(s["seed"]))
    start = time.perf_counter()
    model = Prophet(
        growth="linear",
        n_changepoints=int(s["nChangepoints"]),
        changepoint_range=float(s["changepointRange"]),
        yearly_seasonality=s["yearly"],
        weekly_seasonality=s["weekly"],
        daily_seasonality=s["daily"],
        holidays=holidays,
        seasonality_mode="additive",
        seasonality_prior_scale=float(s["seasonalityPriorScale"]),
        holidays_prior_scale=float(s["holidaysPriorScale"]),
        changepoint_prior_scale=float(s["changepointPriorScale"]),
        interval_width=float(s["intervalWidth"]),
        uncertainty_samples=int(s["uncertaintySamples"]),
    )
    model.fit(frame)
    fitted = time.perf_counter()
    step = frame["ds"].iloc[-1] - frame["ds"].iloc[-2]
    future = pd.DataFrame(
        {"ds": [frame["ds"].iloc[-1] + step * (i + 1) for i in range(int(series["horizon"]))]}
    )
    forecast = model.predict(future)
    predicted = time.perf_counter()
    transform = s["transform"]
    return {
        "name": series["name"],
        "fitSeconds": fitted - start,
        "predictSeconds": predicted - fitted,
        "point": inverse(transform, forecast["yhat"]).tolist(),
        "lower": inverse(transform, forecast["yhat_lower"]).tolist(),
        "upper": inverse(transform, forecast["yhat_upper"]).tolist(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input", help="JSON file of series and settings")
    parser.add_argument("--out", help="write the result here instead of stdout")
    args = parser.parse_args()
    ensure_environment(__file__)

    wall = time.perf_counter()
    import importlib.metadata as metadata

    import prophet  # noqa: F401  (import time is reported apart from fitting)

    imported = time.perf_counter()
    for name in ("prophet", "cmdstanpy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("cmdstanpy").disabled = True

    with open(args.input, encoding="utf-8") as handle:
        document = json.load(handle)
    settings = {**DEFAULTS, **document.get("settings", {})}
    results = [fit_one(series, settings) for series in document["series"]]
    fit = math.fsum(r["fitSeconds"] for r in results)
    predict = math.fsum(r["predictSeconds"] for r in results)
    output = {
        "engine": {
            "python": sys.version.split()[0],
            "prophet": metadata.version("prophet"),
            "cmdstanpy": metadata.version("cmdstanpy"),
            "pandas": metadata.version("pandas"),
        },
        "series": results,
        "totals": {
            "series": len(results),
            "fitSeconds": fit,
            "predictSeconds": predict,
            "importSeconds": imported - wall,
            "wallSeconds": time.perf_counter() - wall,
        },
    }
    write_result(output, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

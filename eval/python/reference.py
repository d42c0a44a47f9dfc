#!/usr/bin/env python3
"""The original research stack (Python Prophet and scikit-learn) on the evaluation's exact splits.

Usage:
    python3 eval/python/reference.py TASK.json [--out RESULT.json]

`npm run eval` writes TASK.json (the same training and test rows, series and settings its own models
get) and reads this script's output, so both sides are scored by the same TypeScript metric code.
The first run creates .cache/python and pip-installs prophet, pandas and scikit-learn (eval/python/pyenv.py).

Input (JSON):
    {
      "seed": 1,
      "forests": {                         # optional: scikit-learn random forests on the crime features, by name
        "NAME": {
          "trainX": [[...]], "testX": [[...]],
          "trainClass": [0, 2, ...],        # -> RandomForestClassifier, class probabilities for testX
          "trainCount": [12, 30, ...],      # optional -> RandomForestRegressor, counts for testX
          "trees": 100, "minSamplesLeaf": 1
        }
      },
      "prophet": {"settings": {...}, "series": [...]},  # optional: the format of prophet_fit_bench.py
      "scores": {                          # optional: predictions of our rows, scored here independently
        "NAME": {"truth": [0, 2, ...], "probabilities": [[...]],   # classes and class probabilities
                 "counts": [...], "forecasts": [...], "scales": [...], "intervals": [[lo, hi], ...],
                 "predicted": [...]}       # optional: the row's own predicted class (default: argmax)
      }
    }
Output (stdout, JSON): {"engine": {...}, "forests": {"NAME": {"classProbabilities", "classes", "count"?,
"fitSeconds", "predictSeconds"}}, "prophet": {"series": [...], "totals": {...}}, "scores": {"NAME":
{"accuracy", "macroF1", "brier", "mase"?, "coverage80"?}}}, the scores computed with numpy and scikit-learn.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pyenv import ensure_environment, write_result  # noqa: E402


def run_forest(spec: dict, seed: int) -> dict:
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    train_x = np.asarray(spec["trainX"], dtype=float)
    test_x = np.asarray(spec["testX"], dtype=float)
    options = dict(
        n_estimators=int(spec.get("trees", 200)),
        min_samples_leaf=int(spec.get("minSamplesLeaf", 1)),
        random_state=seed,
        n_jobs=1,
    )
    started = time.perf_counter()
    classifier = RandomForestClassifier(**options).fit(train_x, np.asarray(spec["trainClass"]))
    regressor = None
    if "trainCount" in spec:
        regressor = RandomForestRegressor(**options).fit(train_x, np.asarray(spec["trainCount"], dtype=float))
    fitted = time.perf_counter()
    probabilities = classifier.predict_proba(test_x)
    count = regressor.predict(test_x).tolist() if regressor is not None else None
    predicted = time.perf_counter()
    result = {
        "classes": [int(c) for c in classifier.classes_],
        "classProbabilities": probabilities.tolist(),
        "fitSeconds": fitted - started,
        "predictSeconds": predicted - fitted,
    }
    if count is not None:
        result["count"] = count
    return result


def run_prophet(spec: dict) -> dict:
    import prophet_fit_bench as bench

    for name in ("prophet", "cmdstanpy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("cmdstanpy").disabled = True
    settings = {**bench.DEFAULTS, **spec.get("settings", {})}
    results = [bench.fit_one(series, settings) for series in spec["series"]]
    return {
        "series": results,
        "totals": {
            "series": len(results),
            "fitSeconds": math.fsum(r["fitSeconds"] for r in results),
            "predictSeconds": math.fsum(r["predictSeconds"] for r in results),
        },
    }


def score_row(spec: dict) -> dict:
    """Our metrics recomputed from a row's predictions with numpy and scikit-learn (a check of our code)."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    truth = np.asarray(spec["truth"], dtype=int)
    probabilities = np.asarray(spec["probabilities"], dtype=float)
    predicted = (
        np.asarray(spec["predicted"], dtype=int) if "predicted" in spec else probabilities.argmax(axis=1)
    )
    labels = list(range(probabilities.shape[1]))
    onehot = np.eye(len(labels))[truth]
    out = {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macroF1": float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        "brier": float(np.mean(np.sum((probabilities - onehot) ** 2, axis=1))),
    }
    if "counts" in spec:
        y = np.asarray(spec["counts"], dtype=float)
        f = np.asarray(spec["forecasts"], dtype=float)
        out["mase"] = float(np.mean(np.abs(y - f) / np.asarray(spec["scales"], dtype=float)))
        bounds = np.asarray(spec["intervals"], dtype=float)
        out["coverage80"] = float(np.mean((y >= bounds[:, 0]) & (y <= bounds[:, 1])))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input", help="JSON task file written by npm run eval")
    parser.add_argument("--out", help="write the result here instead of stdout")
    args = parser.parse_args()
    ensure_environment(__file__)
    import importlib.metadata as metadata

    with open(args.input, encoding="utf-8") as handle:
        document = json.load(handle)
    seed = int(document.get("seed", 1))
    output: dict = {
        "engine": {
            "python": sys.version.split()[0],
            **{name: metadata.version(name) for name in ("prophet", "scikit-learn", "pandas", "numpy")},
        }
    }
    if "forests" in document:
        output["forests"] = {name: run_forest(spec, seed) for name, spec in document["forests"].items()}
    if "prophet" in document:
        output["prophet"] = run_prophet(document["prophet"])
    if "scores" in document:
        output["scores"] = {name: score_row(spec) for name, spec in document["scores"].items()}
    write_result(output, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

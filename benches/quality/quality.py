"""Quality benchmark (not a test): 5-fold cross-validated ROC AUC of the points model
`leadpulse fit` learns, next to scikit-learn's LogisticRegression and
HistGradientBoostingClassifier (default and tuned), on the same folds, on two kinds of data:

- `x-education`: the X Education leads CSV (a CRM export: traits and visit counts);
- `web`: web sessions from the seeded simulator `websim.py` (signal in event properties,
  sources and combinations; its ground truth gives the best AUC any model could reach).

Run by benches/quality/run.sh, which sets up the Python packages; see benches/README.md
("Quality of learned points").

The points model is scored through leadpulse itself: per fold, `leadpulse fit` learns from the
training folds' outcomes only (the held-out fold's leads have no outcome, `--holdout 0`), and
`leadpulse replay` scores every lead with the fitted model; the AUC is taken on the held-out
fold. The scikit-learn models read the same leads as a table: the CSV's columns (X Education),
or what an analyst aggregates from the same events (web: the simulator writes it beside them).
"""
import csv
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

FOLDS = 5
SEED = 9
# Extra `leadpulse fit` options, e.g. FIT_ARGS="--bands 8" (the defaults when empty).
FIT_ARGS = shlex.split(os.environ.get("FIT_ARGS", ""))
WEB_VISITORS = int(os.environ.get("WEB_VISITORS", "20000"))


def run(cmd, **kw):
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.stderr.write(f"{' '.join(map(str, cmd))} exited {done.returncode}\n{done.stderr}")
        sys.exit(1)
    return done


def x_education(binary, work, data, map_file):
    """The CSV imported to events; its columns for scikit-learn."""
    categories = ["LeadOrigin", "LeadSource", "Specialization", "Occupation"]
    numbers = ["TotalVisits", "TotalTime", "PageViews"]
    events, outcomes = work / "events.jsonl", work / "outcomes.csv"
    run([binary, "import", "--map", map_file, data, "--events", events, "--outcomes", outcomes])
    # NOTE: "" (field absent) and "Select" (form default) stay two different values.
    leads = pd.read_csv(data, keep_default_na=False, dtype={c: str for c in categories})
    y = leads["Converted"].astype(int).to_numpy()
    ids = leads["ProspectID"].to_numpy()
    return f"{len(leads)} X Education leads", events, leads, y, ids, categories, numbers, None


def web(binary, work, visitors):
    """Simulated web sessions; the per-visitor table for scikit-learn; the true log-odds."""
    here = Path(__file__).parent
    run([sys.executable, here / "websim.py", work, "--visitors", str(visitors)])
    leads = pd.read_csv(work / "features.csv", keep_default_na=False)
    outcomes = pd.read_csv(work / "outcomes.csv")
    truth = pd.read_csv(work / "truth.csv")
    y = outcomes["converted"].astype(int).to_numpy()
    ids = leads["visitor"].to_numpy()
    categories = ["source", "role", "plan_last"]
    numbers = [c for c in leads.columns if c not in categories + ["visitor"]]
    return (f"{len(leads)} simulated web visitors", work / "events.jsonl", leads, y, ids,
            categories, numbers, truth["logit"].to_numpy())


def main():
    binary, dataset, work = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    work = work / dataset
    work.mkdir(parents=True, exist_ok=True)
    if dataset == "x-education":
        what, events, leads, y, ids, categories, numbers, truth = x_education(
            binary, work, Path(sys.argv[4]), Path(sys.argv[5]))
    else:
        what, events, leads, y, ids, categories, numbers, truth = web(binary, work, WEB_VISITORS)
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(leads, y))

    lr = make_pipeline(
        ColumnTransformer([
            ("categories", OneHotEncoder(handle_unknown="ignore"), categories),
            ("numbers", StandardScaler(), numbers),
        ]),
        LogisticRegression(max_iter=5000),
    )
    categorical = leads[categories + numbers].copy()
    for c in categories:
        categorical[c] = categorical[c].astype("category")
    hgb = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    # NOTE: the defaults, and a tuned variant (a small grid, 3-fold inner CV on the training
    # folds only), so that "within 0.01 of gradient boosting" does not lean on an untuned peer.
    tuned = GridSearchCV(
        HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
        {"learning_rate": [0.03, 0.1], "max_leaf_nodes": [7, 31], "min_samples_leaf": [80]},
        cv=3, scoring="roc_auc",
    )

    rows = []
    for k, (train, test) in enumerate(folds, 1):
        fold_outcomes = work / f"outcomes-fold{k}.csv"
        with open(fold_outcomes, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["visitor", "converted"])
            for i in train:
                w.writerow([ids[i], y[i]])
        model = work / f"model-fold{k}.json"
        started = time.monotonic()
        run([binary, "fit", "--events", events, "--outcomes", fold_outcomes, "--holdout", "0",
             "--out", model, "--report", work / f"report-fold{k}.json", *FIT_ARGS])
        fit_seconds = time.monotonic() - started
        replayed = run([binary, "replay", "--model", model, events]).stdout
        scores = {}
        for line in replayed.splitlines():
            snapshot = json.loads(line)
            scores[snapshot["visitor"]] = snapshot["score"]
        points_auc = roc_auc_score(y[test], [scores.get(ids[i], 0) for i in test])

        lr.fit(leads.iloc[train], y[train])
        lr_auc = roc_auc_score(y[test], lr.predict_proba(leads.iloc[test])[:, 1])
        hgb.fit(categorical.iloc[train], y[train])
        hgb_auc = roc_auc_score(y[test], hgb.predict_proba(categorical.iloc[test])[:, 1])
        tuned.fit(categorical.iloc[train], y[train])
        tuned_auc = roc_auc_score(y[test], tuned.predict_proba(categorical.iloc[test])[:, 1])
        truth_auc = roc_auc_score(y[test], truth[test]) if truth is not None else float("nan")
        rules = len(json.loads(model.read_text())["rules"])
        rows.append({"fold": k, "points": points_auc, "logistic": lr_auc, "hgb": hgb_auc,
                     "hgbTuned": tuned_auc, "truth": truth_auc, "rules": rules,
                     "fitSeconds": fit_seconds})

    keys = ("points", "logistic", "hgb", "hgbTuned", "truth")
    mean = {key: float(np.mean([r[key] for r in rows])) for key in keys}
    print(f"\n{FOLDS}-fold ROC AUC on {what} (same folds; StratifiedKFold seed {SEED})")
    print(f"{'fold':>6} {'points':>8} {'LR':>8} {'HGB':>8} {'HGB-cv':>8} {'truth':>8} {'rules':>6} {'fit s':>6}")
    for r in rows:
        print(f"{r['fold']:>6} {r['points']:>8.4f} {r['logistic']:>8.4f} {r['hgb']:>8.4f} "
              f"{r['hgbTuned']:>8.4f} {r['truth']:>8.4f} {r['rules']:>6} {r['fitSeconds']:>6.1f}")
    print(f"{'mean':>6} {mean['points']:>8.4f} {mean['logistic']:>8.4f} {mean['hgb']:>8.4f} "
          f"{mean['hgbTuned']:>8.4f} {mean['truth']:>8.4f}")
    best = max(mean["hgb"], mean["hgbTuned"])
    gap = mean["points"] - best
    verdict = "beats" if gap > 0 else "matches (within 0.001)" if gap >= -0.001 else "is below"
    print(f"points − best HGB = {mean['points'] - best:+.4f}: the points model {verdict} gradient boosting")
    (work / "results.json").write_text(json.dumps({"folds": rows, "mean": mean}, indent=2) + "\n")


if __name__ == "__main__":
    main()

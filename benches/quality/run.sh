#!/usr/bin/env bash
# Quality benchmark (not a test): cross-validated ROC AUC of the points `leadpulse fit` learns,
# next to scikit-learn's LogisticRegression and HistGradientBoostingClassifier (default and
# tuned) on the same folds (benches/README.md, "Quality of learned points"), on the X Education
# leads CSV (LEADS_CSV; default: the team's data folder beside the checkout) and on simulated
# web sessions (websim.py, seeded). Sets up its own Python packages in a venv under target/
# (from PyPI, once).
#
#   benches/quality/run.sh                 # both data sets, release build of the command
#   benches/quality/run.sh web             # one of them: web or x-education
#   PROFILE=dev benches/quality/run.sh     # the debug build (no LTO build wait; slower fits)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

datasets=${1:-x-education web}
data=${LEADS_CSV:-../shared/data/leads.csv}
if [[ $datasets == *x-education* && ! -f $data ]]; then
  echo "quality: $data not found: set LEADS_CSV to the X Education leads CSV" >&2; exit 2
fi
work=target/quality
venv=$work/venv
profile=${PROFILE:-release}

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sklearn, pandas' 2>/dev/null; then
  echo "quality: installing scikit-learn and pandas into $venv (once)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check scikit-learn pandas
fi

if [ "$profile" = dev ]; then
  cargo build --quiet -p leadpulse-cli
  binary=target/debug/leadpulse
else
  cargo build --quiet --release -p leadpulse-cli
  binary=target/release/leadpulse
fi

for dataset in $datasets; do
  "$venv/bin/python" benches/quality/quality.py "$binary" "$dataset" "$work" "$data" examples/x-education/map.json
done

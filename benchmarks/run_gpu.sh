#!/usr/bin/env bash
# The GPU benchmark (issue: a full tri-modal explanation in under 100 ms on one H100), run on the GPU machine.
#
# Its image has torch/transformers/scipy/scikit-image but not captum; carry captum's wheel. Here, once:
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 -d .whl captum==0.9.0
# Then with the device tool (carry [".whl"]):   bash benchmarks/run_gpu.sh
# It runs the GPU tests, then the benchmark on the Hub preset's architectures (random weights, built there), and
# writes results.json + RESULTS.md to $OUT (the device tool brings them back) or to benchmarks/ without $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
fi
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
dest="${OUT:-benchmarks}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
python3 -m pytest -q -p no:cacheprovider tests/test_gpu.py tests/test_explain_batching.py
python3 benchmarks/bench.py --preset base --runs "${RUNS:-30}" --naive-runs "${NAIVE_RUNS:-5}" \
  --out "$dest/results.json" --md "$dest/RESULTS.md"

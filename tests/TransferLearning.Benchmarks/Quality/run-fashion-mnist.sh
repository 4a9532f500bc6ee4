#!/usr/bin/env bash
# The quality benchmark (not a CI test): builds the Fashion-MNIST photo-like set from Debian's dataset-fashion-mnist
# (installing it when missing), then runs the FruitClassifier sample on it exactly as documented —
#   FruitClassifier --data DIR --image-size 128            (seed 42, the default)
#   FruitClassifier --data DIR --image-size 128 --seed N   (each further seed)
# — under /usr/bin/time -v, the build excluded, and prints validation accuracy, wall and CPU (user + sys) seconds.
#
#   tests/TransferLearning.Benchmarks/Quality/run-fashion-mnist.sh [seed ...]     (default seeds: 42 7)
#   RECIPE=keras tests/TransferLearning.Benchmarks/Quality/run-fashion-mnist.sh    (the seed Keras recipe instead)
#
# Results and their discussion: docs/performance.md, "Recipe quality".
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=${WORK:-/tmp/transferlearning-quality}
seeds=("$@")
[ ${#seeds[@]} -eq 0 ] && seeds=(42 7)
recipe_args=()
[ -n "${RECIPE:-}" ] && recipe_args=(--recipe "$RECIPE")

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "Installing Debian's dataset-fashion-mnist ..."
  apt-get install -y dataset-fashion-mnist >/dev/null || { apt-get update >/dev/null && apt-get install -y dataset-fashion-mnist >/dev/null; }
fi
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null

dotnet build -c Release "$root/tests/TransferLearning.Benchmarks" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/samples/FruitClassifier" -v quiet -nologo >/dev/null
data="$work/fashion-mnist"
if [ ! -d "$data/valid" ]; then
  dotnet "$root/tests/TransferLearning.Benchmarks/bin/Release/net10.0/TransferLearning.Benchmarks.dll" fashion-mnist "$data" 30000 100 50
fi

printf '| seed | recipe | validation accuracy | with TTA | wall s | CPU s (user + sys) |\n|---:|---|---:|---:|---:|---:|\n' > "$work/results.md"
for seed in "${seeds[@]}"; do
  args=(--data "$data" --image-size 128 "${recipe_args[@]}")
  [ "$seed" != 42 ] && args+=(--seed "$seed")
  out="$work/run-${RECIPE:-default}-$seed"
  echo "FruitClassifier ${args[*]}"
  /usr/bin/time -v -o "$out.time" dotnet "$root/samples/FruitClassifier/bin/Release/net10.0/FruitClassifier.dll" "${args[@]}" --output "$out" > "$out.log" 2>&1
  accuracy=$(tail -n 1 "$out.log" | sed -nE 's/^validation accuracy: ([0-9.]+) %$/\1/p')
  tta=$(grep -oE 'test-time augmentation \(image \+ mirror image\): [0-9.]+ ?%' "$out.log" | grep -oE '[0-9.]+ ?%$' | tr -d ' %' || true)
  user=$(sed -nE 's/^\s*User time \(seconds\): ([0-9.]+)/\1/p' "$out.time")
  sys=$(sed -nE 's/^\s*System time \(seconds\): ([0-9.]+)/\1/p' "$out.time")
  wall=$(sed -nE 's/^\s*Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.*)/\1/p' "$out.time" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.0f", s }')
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", u + s }')
  printf '| %s | %s | %s %% | %s %% | %s | %s |\n' "$seed" "${RECIPE:-default}" "${accuracy:-?}" "${tta:-?}" "$wall" "$cpu" | tee -a "$work/results.md"
done
echo "Table: $work/results.md; logs: $work/run-*.log"

#!/usr/bin/env bash
# The large English base, made in the background: a short probe of candidate shapes (each trained
# for the same wall-clock minutes from scratch, with the full budget's learning-rate schedule), then
# the shape with the lowest held-out bits/char goes on in .pretrain-large/, writing
# public/models/base-en-large/ at every save. Rerunning skips the probe once a winner exists, and
# resumes the winner from its checkpoint; in a fresh clone, where the work folder is gone, it goes on
# from the committed base (--from: its weights, step and curve, with a fresh optimizer). Run it at
# the lowest priority:
#   nice -n 19 bash scripts/pretrain/large.sh > .pretrain-large.log 2>&1 &
# Both cores: --threads 2 (the split matMul, scripts/pretrain/wasm-threads.ts); THREADS=1 for one.
# Each probe gets the same CPU time (both threads counted), so tests running beside it do not
# favour one shape.
# Environment: PROBE_CPU_MINUTES (per shape, default 16), HOURS (the budget, default 20),
#              CHUNK_MINUTES (one invocation's wall-clock length before it saves, default 60),
#              LR (the cosine schedule's peak, default 0.01; a lower peak goes on from an annealed base
#              without raising the rate again), BATCH (rows per step, default 32; a larger batch lowers the
#              gradient noise that a flat held-out curve at a fixed rate points to), DROPOUT (between layers while
#              training, default 0; the written base has none), SEQ (characters per row, default 100; longer rows
#              train the state over the spans that the held-out figure, read with state carried, rewards),
#              CARRY (0 by default; N: each row reads on for N characters, its LSTM state carried from step
#              to step, as the held-out figure carries it), RESTART=1 (the cosine spans this stage alone, from LR down to a tenth of it, rather than the
#              whole HOURS: a warm restart from an annealed base).
set -euo pipefail
cd "$(dirname "$0")/../.."
PROBE_CPU_MINUTES=${PROBE_CPU_MINUTES:-16}
HOURS=${HOURS:-20}
CHUNK_MINUTES=${CHUNK_MINUTES:-60}
THREADS=${THREADS:-2}
LR=${LR:-0.01}
DROPOUT=${DROPOUT:-0}
BATCH=${BATCH:-32}
SEQ=${SEQ:-100}
CARRY=${CARRY:-0}
restart=()
[ "${RESTART:-0}" = 1 ] && restart=(--restart)
PROBE=.pretrain-large-probe
WORK=.pretrain-large
OUT=public/models/base-en-large
CANDIDATES=("2 512 64" "1 1024 64" "3 384 64") # layers units embedding

if [ ! -f "$WORK/shape" ] && [ -f "$OUT/base.json" ]; then
  mkdir -p "$WORK"
  node -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).model; console.log(`${m.layers}x${m.units}`)' \
    "$OUT/base.json" >"$WORK/shape"
  echo "going on from the committed base: $(cat "$WORK/shape")"
fi
if [ ! -f "$WORK/shape" ]; then
  for c in "${CANDIDATES[@]}"; do
    read -r layers units embed <<<"$c"
    dir="$PROBE/${layers}x${units}"
    if [ ! -f "$dir/base/base.json" ]; then
      echo "probe: ${layers}x${units}, embedding ${embed}, ${PROBE_CPU_MINUTES} CPU min"
      npm run --silent pretrain -- --hours "$HOURS" --layers "$layers" --units "$units" --embed "$embed" --threads "$THREADS" \
        --work "$dir/work" --out "$dir/base" --cpu-minutes "$PROBE_CPU_MINUTES" --eval-every 120 --save-every 100000 --fresh
    fi
  done
  best=$(node -e '
    const fs = require("fs");
    const rows = process.argv.slice(1).map((d) => [d, JSON.parse(fs.readFileSync(d + "/base/base.json", "utf8"))]);
    for (const [d, m] of rows) console.error(`${d}: ${m.valBpc} bits/char after ${m.training.steps} steps, ${m.training.seconds} s, ${m.weights.bytes} bytes`);
    const fits = rows.filter(([, m]) => m.weights.bytes <= 10e6); // a 10 MB float16 download at most
    fits.sort((a, b) => a[1].valBpc - b[1].valBpc);
    console.log(fits[0][0]);' "$PROBE"/*x*)
  echo "probe winner: $best"
  mkdir -p "$WORK"
  cp "$best"/work/* "$WORK"/
  basename "$best" >"$WORK/shape"
fi
IFS=x read -r layers units <<<"$(cat "$WORK/shape")"
embed=64
from=()
[ -f "$OUT/base.json" ] && from=(--from "$OUT") # used only where the work folder holds no checkpoint
while :; do
  npm run --silent pretrain -- --hours "$HOURS" --layers "$layers" --units "$units" --embed "$embed" --threads "$THREADS" \
    --lr "$LR" "${restart[@]}" --batch "$BATCH" --seq "$SEQ" --carry "$CARRY" --dropout "$DROPOUT" --work "$WORK" --out "$OUT" "${from[@]}" --minutes "$CHUNK_MINUTES" --eval-every 300 --save-every 600 --base-every 3000
  node -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.exit(p.seconds >= process.argv[2] * 3600 ? 0 : 1)' \
    "$WORK/progress.json" "$HOURS" && break
done
echo "large base: budget reached"

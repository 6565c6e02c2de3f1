#!/usr/bin/env bash
# Submits a resim study to Slurm: a job array with one task per shard (per sweep point and shard
# for a sweep), then a merge job that runs once every task has succeeded (afterok) and is
# cancelled if any fails. Run it from anywhere on a login node; the checkout (with dist/ built)
# and RESIM_OUT must be on a filesystem the compute nodes share.
#
#   RESIM_SCENARIO=scenarios/tier1-single-path.yaml RESIM_REPLICATIONS=4000 RESIM_SHARDS=8 \
#     slurm/submit.sh [sbatch options for both jobs, e.g. --partition=short --time=1:00:00]
#
# Environment:
#   RESIM_SCENARIO      scenario file (required)
#   RESIM_REPLICATIONS  R, replications of each study (required if the scenario has a precision target)
#   RESIM_SHARDS        N, shards per study (default 4)
#   RESIM_OUT           study folder to create (default results/slurm/<scenario file name>); it
#                       must not exist yet. Results: $RESIM_OUT/merged, logs: $RESIM_OUT/logs
#   RESIM_SEED          seed (default: the scenario's)
#   RESIM_HOME          the resim checkout (default: the one holding this script)
#   RESIM_NODE          node binary (default: node on PATH; it must exist on the compute nodes)
#   RESIM_WORKERS       worker threads per task (default: --cpus-per-task, else 1)
# Prints the two job ids.
set -euo pipefail

die() { echo "slurm/submit.sh: $*" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export RESIM_HOME=${RESIM_HOME:-$(dirname "$here")}
export RESIM_NODE=${RESIM_NODE:-node}
export RESIM_SHARDS=${RESIM_SHARDS:-4}
export RESIM_REPLICATIONS=${RESIM_REPLICATIONS:-}
export RESIM_SEED=${RESIM_SEED:-}
scenario=${RESIM_SCENARIO:?set RESIM_SCENARIO to the scenario file}
main=$RESIM_HOME/dist/cli/main.js

command -v sbatch >/dev/null || die "sbatch not found: run this on a Slurm submit host"
[[ -f $main ]] || die "$main not found: build the checkout first (cd $RESIM_HOME && npm ci && npm run build)"
[[ -f $scenario ]] || die "$scenario: no such file"
[[ $RESIM_SHARDS =~ ^[1-9][0-9]*$ ]] || die "RESIM_SHARDS must be a whole number >= 1, got \"$RESIM_SHARDS\""
[[ -z $RESIM_REPLICATIONS || $RESIM_REPLICATIONS =~ ^[1-9][0-9]*$ ]] || die "RESIM_REPLICATIONS must be a whole number >= 1, got \"$RESIM_REPLICATIONS\""

scenario=$(realpath "$scenario")
stem=$(basename "$scenario"); stem=${stem%.*}
RESIM_OUT=$(realpath -m "${RESIM_OUT:-results/slurm/$stem}")
export RESIM_OUT
if [[ -e $RESIM_OUT ]] && [[ -n $(ls -A "$RESIM_OUT") ]]; then
  die "$RESIM_OUT already exists and is not empty: choose another RESIM_OUT (old shards would mix with new ones)"
fi
existed=""; [[ -d $RESIM_OUT ]] && existed=1
queued=""
# Until the array is queued, a failure leaves nothing behind (the folder was absent or empty).
undo() {
  [[ -z $queued ]] || return 0
  if [[ -n $existed ]]; then find "$RESIM_OUT" -mindepth 1 -delete; else rm -rf -- "$RESIM_OUT"; fi
}
trap undo EXIT
mkdir -p "$RESIM_OUT/logs"

# Validate (located problems, exit 2) and write plan.tsv (points of a sweep) before queuing anything.
"$RESIM_NODE" "$main" validate "$scenario" >/dev/null || die "$scenario: resim validate failed (exit $?; problems above); nothing submitted"
units=$("$RESIM_NODE" "$here/plan.mjs" "$scenario" "$RESIM_OUT" "$RESIM_REPLICATIONS") || die "no plan for $scenario (exit $?); nothing submitted"
tasks=$((units * RESIM_SHARDS))
# The settings of this study, to resubmit a failed task by hand: set -a; . "$RESIM_OUT/submit.env"; set +a
for v in RESIM_HOME RESIM_NODE RESIM_OUT RESIM_SHARDS RESIM_REPLICATIONS RESIM_SEED; do printf '%s=%q\n' "$v" "${!v}"; done >"$RESIM_OUT/submit.env"

array=$(sbatch --parsable --export=ALL --array="0-$((tasks - 1))" --chdir="$RESIM_OUT" \
  --output="$RESIM_OUT/logs/shard-%A_%a.out" "$@" "$here/resim-shard.sbatch")
array=${array%%;*}
queued=1
merge_args=(--parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes --chdir="$RESIM_OUT"
  --output="$RESIM_OUT/logs/merge-%j.out" "$@" "$here/resim-merge.sbatch")
merge=$(sbatch "${merge_args[@]}") || die "array job $array is queued but the merge job could not be submitted; submit it with: set -a; . $RESIM_OUT/submit.env; set +a; sbatch ${merge_args[*]:1}"
merge=${merge%%;*}

if [[ $(cut -f1 "$RESIM_OUT/plan.tsv") == . ]]; then what="$RESIM_SHARDS shards"; else what="$units sweep points x $RESIM_SHARDS shards"; fi
echo "array job $array: $tasks tasks ($what); merge job $merge (afterok:$array)"
echo "results: $RESIM_OUT/merged; logs: $RESIM_OUT/logs"

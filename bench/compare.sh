#!/usr/bin/env bash
# Builds nolegacyruns and the read-only floor, generates the corpora once
# (seeded, never committed) and prints the comparison with ripgrep. Needs rg
# and hyperfine (Debian: apt-get install ripgrep hyperfine); installs nothing
# itself. Not part of go test.
#
# The corpora live outside this repository (CORPUS, default
# $TMPDIR/nolegacyruns-bench): inside it, git would treat them as ignored
# files of this checkout instead of trees of their own.
#
#   bench/compare.sh              all rows (about 3 GB of disk)
#   ROUNDS=3 RUNS=3 CORPUS=/data/bench bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for t in rg hyperfine; do
  command -v "$t" >/dev/null || { echo "compare.sh: $t is not installed (apt-get install ripgrep hyperfine)" >&2; exit 1; }
done
C="${CORPUS:-${TMPDIR:-/tmp}/nolegacyruns-bench}"
mkdir -p "$C" "$C/work"
go build -o "$C/nolegacyruns" ./cmd/nolegacyruns
go build -o "$C/floor" ./bench/floor
[ -d "$C/laravel" ] || go run ./bench/gen -shape laravel -out "$C/laravel"
[ -d "$C/tree" ] || go run ./bench/gen -shape tree -files 70000 -out "$C/tree"
scales=()
for n in 1 2 4 8; do
  d="$C/scale-$n"
  # No planted tokens: memory should depend on findings, not on bytes.
  [ -d "$d" ] || go run ./bench/gen -shape tree -files $((n * 8750)) -seed $n -tokens 9 -plant 0 -out "$d"
  scales+=("$d")
done
# Warm the page cache.
cat $(find "$C/laravel" "$C/tree" "${scales[@]}" -type f) > /dev/null 2>&1 || true
go run ./bench/compare -bin "$C/nolegacyruns" -floor "$C/floor" \
  -laravel "$C/laravel" -tree "$C/tree" -scales "$(IFS=,; echo "${scales[*]}")" \
  -rounds "${ROUNDS:-5}" -runs "${RUNS:-3}" -work "$C/work"

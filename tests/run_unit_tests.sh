#!/usr/bin/env bash
# Runs the unit and doc tests (`deno test --doc`), as README's test command does, in groups: the test files
# that load a native library (NATIVE_GROUPS below) each in a `deno test` process of its own, then everything else
# in one more. With arguments, one `deno test` process runs with them instead (e.g. a few files).
#
# Why groups: once in several runs of the whole suite in one process, the process died *after* printing its
# summary with every test passed: glibc reported "corrupted size vs. prev_size in fastbins" (SIGABRT) while
# native code was torn down at exit. Run apart, it happened only in the group "wgpu and Mesa (webgpu)". The
# cause (issue 8): wgpu initialized its OpenGL backend beside Vulkan, which loads Mesa's EGL and a second,
# unused software driver (swrast_dri.so); the crash was glibc finding a corrupted fastbin while a tokio worker
# thread freed its malloc arena at exit. `preferVulkanOnLinux` (lib/model/backend.ts) restricts wgpu to Vulkan,
# and tests/model_backend.test.ts fails if EGL or swrast is mapped. Groups stay: one library per process keeps any
# future teardown fault attributable. Every non-zero exit, a death by signal included, fails the run.
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

failed=0

# run NAME FILES...: one `deno test` process; records a failure (any non-zero exit), naming a death by signal.
run() {
  local name=$1
  shift
  echo "== tests: $name" >&2
  NO_COLOR=1 deno test "${FLAGS[@]}" "$@"
  local rc=$?
  if [ "$rc" -gt 128 ]; then
    echo "FAILED: the test process of group \"$name\" died by signal $((rc - 128)) (see issue 8)" >&2
    failed=1
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

exit "$failed"

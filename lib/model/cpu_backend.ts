/**
 * Which CPU backend a command gets when the user names none, and the line that announces it: `wasm-blas` when
 * a BLAS library loads, else `wasm` with the reason (never a silent fall-back), plus the BLAS thread count.
 *
 * @module
 */
import { loadBlas } from "./blas.ts";

/** The CPU backend chosen for a run and how to announce it. */
export interface CpuBackendChoice {
  /** The backend's name for `useBackend`. */
  backend: string;
  /** One line naming the backend, its BLAS library and threads (or why there is no BLAS). */
  announcement: string;
}

/**
 * Picks the backend for a run and sets the BLAS thread count: the requested one, or, when none is named, the
 * fastest CPU backend available (`wasm-blas` if a BLAS loads, else `wasm`, saying why).
 *
 * @param requested The backend the user named, or `undefined` for the fastest available.
 * @param threads BLAS threads (default: every core, `navigator.hardwareConcurrency`).
 * @returns The backend and its announcement line.
 * @throws {Error} When `wasm-blas` is requested and no BLAS loads (the message names the package).
 * @throws {RangeError} For threads that are not an integer ≥ 1.
 *
 * @example
 * ```ts
 * import { chooseCpuBackend } from "./cpu_backend.ts";
 * const choice = chooseCpuBackend(undefined, 1);
 * console.assert(choice.backend === "wasm-blas" || /no BLAS/.test(choice.announcement));
 * console.assert(chooseCpuBackend("cpu").announcement.startsWith("backend cpu"));
 * ```
 */
export function chooseCpuBackend(
  requested: string | undefined,
  threads: number = navigator.hardwareConcurrency,
): CpuBackendChoice {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be an integer ≥ 1, got ${threads}`);
  }
  if (requested !== undefined && requested !== "wasm-blas") {
    return { backend: requested, announcement: `backend ${requested}` };
  }
  let blas;
  try {
    blas = loadBlas();
  } catch (e) {
    if (requested === "wasm-blas") throw e;
    return {
      backend: "wasm",
      announcement: `backend wasm (1 thread; the faster wasm-blas is unavailable: ${(e as Error).message})`,
    };
  }
  blas.setThreads(threads);
  const n = blas.threads() ?? threads;
  return {
    backend: "wasm-blas",
    announcement: `backend wasm-blas: ${blas.name}, ${blas.path}, ${n} thread${n === 1 ? "" : "s"}`,
  };
}

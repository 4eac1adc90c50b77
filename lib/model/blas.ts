/**
 * A native BLAS through Deno's FFI: `cblas_sgemm` from the system's OpenBLAS (Debian `libopenblas0-pthread`) or
 * Apple's Accelerate, found by {@link blasCandidates}. Buffers go in as typed arrays (no copy), so a kernel can
 * hand it views of the wasm heap. Needs `--allow-ffi`.
 *
 * @module
 */
import { checkSgemm, checkSgemv } from "./blas_checks.ts";

/** The install hint in every "not found" error. */
export const BLAS_INSTALL_HINT =
  "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0-pthread; Fedora: dnf install openblas) " +
  "or point DPO_KERNELS_BLAS at a CBLAS shared library";

/** CBLAS enum values (cblas.h). */
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32", // order
      "i32", // transA
      "i32", // transB
      "i32", // M
      "i32", // N
      "i32", // K
      "f32", // alpha
      "buffer", // A
      "i32", // lda
      "buffer", // B
      "i32", // ldb
      "f32", // beta
      "buffer", // C
      "i32", // ldc
    ],
    result: "void",
  },
  cblas_sgemv: {
    parameters: ["i32", "i32", "i32", "i32", "f32", "buffer", "i32", "buffer", "i32", "f32", "buffer", "i32"],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** A loaded BLAS. */
export interface Blas {
  /** The file it was loaded from. */
  readonly path: string;
  /** What the library says it is (OpenBLAS's build string), or the file name. */
  readonly name: string;
  /**
   * C = α·op(A)·op(B) + β·C, row-major, op(X) = Xᵀ when its flag is set; A `[M, K]` (or `[K, M]` transposed)
   * with row stride lda, B `[K, N]` (or `[N, K]`) with row stride ldb, C `[M, N]` with row stride ldc. The
   * arrays start at the matrices' first elements (pass `subarray` views).
   *
   * @throws {RangeError} When a size or stride is invalid or an array is shorter than the elements the call
   * can touch ({@link checkSgemm}); nothing is called then.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
  /**
   * y = α·op(A)·x + β·y, row-major A `[M, N]` with row stride lda, op(A) = Aᵀ when trans; x and y with
   * strides incx and incy.
   *
   * @throws {RangeError} When a size or stride is invalid or an array is too short ({@link checkSgemv}).
   */
  sgemv(
    trans: boolean,
    m: number,
    n: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    x: Float32Array,
    incx: number,
    beta: number,
    y: Float32Array,
    incy: number,
  ): void;
  /** Sets the number of BLAS threads (a no-op where the library has no such call, e.g. Accelerate). */
  setThreads(n: number): void;
  /** The number of BLAS threads, or `undefined` where the library does not say. */
  threads(): number | undefined;
}

/**
 * Where to look for a CBLAS library, in order: `$DPO_KERNELS_BLAS` (when set, the only candidate), Debian's
 * and Fedora's OpenBLAS, then macOS's Accelerate.
 *
 * @param env Reads an environment variable (default `Deno.env.get`).
 * @returns Paths or sonames for `Deno.dlopen`.
 *
 * @example
 * ```ts
 * import { blasCandidates } from "./blas.ts";
 * console.assert(blasCandidates(() => "/opt/blas.so")[0] === "/opt/blas.so");
 * ```
 */
export function blasCandidates(env: (name: string) => string | undefined = Deno.env.get): string[] {
  const fromEnv = env("DPO_KERNELS_BLAS");
  if (fromEnv !== undefined && fromEnv !== "") return [fromEnv];
  return [
    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
    "/usr/lib64/libopenblasp.so.0",
    "/usr/lib64/libopenblas.so.0",
    "libopenblas.so.0",
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
  ];
}

/** Libraries loaded so far, by candidate path (a library is opened once). */
const loaded = new Map<string, Blas>();

/**
 * A /proc file's text through libc (Deno asks for --allow-all to read /proc with its own API; this module
 * already needs --allow-ffi, which grants as much), or `undefined` if it cannot be read.
 */
function readProcFile(path: string): string | undefined {
  let libc;
  try {
    libc = Deno.dlopen(
      "libc.so.6",
      {
        open: { parameters: ["buffer", "i32"], result: "i32" },
        read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
        close: { parameters: ["i32"], result: "i32" },
      } as const,
    );
  } catch {
    return undefined;
  }
  try {
    const fd = libc.symbols.open(new TextEncoder().encode(path + "\0"), 0);
    if (fd < 0) return undefined;
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(1 << 16);
    for (;;) {
      const n = Number(libc.symbols.read(fd, buf, BigInt(buf.length)));
      if (n <= 0) break;
      chunks.push(buf.slice(0, n));
    }
    libc.symbols.close(fd);
    const all = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    return new TextDecoder().decode(all);
  } finally {
    libc.close();
  }
}

/**
 * OpenBLAS's runtime CPU detection (DYNAMIC_ARCH) falls back to its slowest x86-64 kernels ("Prescott") on CPUs
 * it does not recognize, such as virtual machines that report a generic model: 4–5× slower on AVX-512 hardware.
 * Unless the user set `OPENBLAS_CORETYPE`, it is set here from the CPU's flags (AVX-512 → SkylakeX, AVX2 + FMA
 * → Haswell) before the library loads; the choice shows in {@link Blas.name}. PyTorch linked to the same
 * OpenBLAS gets the same variable from the benchmark.
 */
function openblasCoreType(): { value: string | undefined; chosen: boolean } {
  const set = Deno.env.get("OPENBLAS_CORETYPE");
  if (set !== undefined) return { value: set, chosen: false };
  const text = Deno.build.os === "linux" ? readProcFile("/proc/cpuinfo") : undefined;
  const line = text?.split("\n").find((l) => l.startsWith("flags"));
  if (line === undefined) return { value: undefined, chosen: false }; // OpenBLAS decides
  const flags = new Set(line.split(":")[1]?.trim().split(/\s+/));
  const value = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].every((f) => flags.has(f))
    ? "SkylakeX"
    : flags.has("avx2") && flags.has("fma")
    ? "Haswell"
    : undefined;
  if (value !== undefined) Deno.env.set("OPENBLAS_CORETYPE", value);
  return { value, chosen: value !== undefined };
}

/**
 * Loads the first of the candidates that opens (each library is opened once; later calls return it).
 *
 * @param candidates Paths to try in order (default {@link blasCandidates}).
 * @returns The loaded library.
 * @throws {Error} When none loads; the message names the package to install and every path tried.
 *
 * @example
 * ```ts
 * import { loadBlas } from "./blas.ts";
 * try {
 *   const blas = loadBlas();
 *   const c = new Float32Array(1);
 *   blas.sgemm(false, false, 1, 1, 2, 1, new Float32Array([1, 2]), 2, new Float32Array([3, 4]), 1, 0, c, 1);
 *   console.assert(c[0] === 11);
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message));
 * }
 * ```
 */
export function loadBlas(candidates: readonly string[] = blasCandidates()): Blas {
  const errors: string[] = [];
  for (const path of candidates) {
    const done = loaded.get(path);
    if (done !== undefined) return done;
    const core = openblasCoreType();
    let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
    try {
      lib = Deno.dlopen(path, SYMBOLS);
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        throw new Error(`loading a BLAS library needs --allow-ffi (${(e as Error).message.split("\n")[0]})`);
      }
      errors.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    const s = lib.symbols;
    const sgemmRaw = s.cblas_sgemm;
    const sgemvRaw = s.cblas_sgemv;
    const configPtr = s.openblas_get_config === null ? null : s.openblas_get_config();
    const name = configPtr === null
      ? path.split("/").pop() as string
      : `${new Deno.UnsafePointerView(configPtr).getCString()}${
        core.chosen ? " (OPENBLAS_CORETYPE from /proc/cpuinfo)" : ""
      }`;
    const blas: Blas = {
      path,
      name,
      sgemm: (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
        checkSgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        sgemmRaw(
          ROW_MAJOR,
          transA ? TRANS : NO_TRANS,
          transB ? TRANS : NO_TRANS,
          m,
          n,
          k,
          alpha,
          a,
          lda,
          b,
          ldb,
          beta,
          c,
          ldc,
        );
      },
      sgemv: (trans, m, n, alpha, a, lda, x, incx, beta, y, incy) => {
        checkSgemv(trans, m, n, a, lda, x, incx, y, incy);
        sgemvRaw(ROW_MAJOR, trans ? TRANS : NO_TRANS, m, n, alpha, a, lda, x, incx, beta, y, incy);
      },
      setThreads: (n: number) => {
        if (!Number.isInteger(n) || n < 1) throw new RangeError(`threads must be an integer ≥ 1, got ${n}`);
        s.openblas_set_num_threads?.(n);
      },
      threads: () => s.openblas_get_num_threads?.() ?? undefined,
    };
    loaded.set(path, blas);
    return blas;
  }
  throw new Error(`no BLAS library found: ${BLAS_INSTALL_HINT} (tried ${errors.join("; ")})`);
}

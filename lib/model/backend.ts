/**
 * TensorFlow.js backends, by name, and the one function that switches to one. A backend that fails to
 * initialize is an error, never a silent fall-back (`tf.setBackend` returns false and leaves tfjs on cpu).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { lookup } from "../math/lookup.ts";
import { registerWasmBlas } from "./blas_kernels.ts";

/** Options of {@link useBackend}. */
export interface UseBackendOptions {
  /**
   * Accept a software or fallback WebGPU adapter (llvmpipe, lavapipe, SwiftShader, `isFallbackAdapter`), which
   * runs the webgpu path on the CPU some 40× slower than wasm: for tests of the path on machines without a GPU.
   * Default: true when the environment variable `DPO_KERNELS_ALLOW_SOFTWARE_GPU` is `1` or `true`, else false.
   */
  allowSoftwareGpu?: boolean;
  /** Where the backend's one-line description goes (the WebGPU adapter); default `console.error`. */
  log?: (line: string) => void;
}

/** One backend: how to make it available before `tf.setBackend`. */
export interface BackendEntry {
  /** What it is, for `--help`. */
  description: string;
  /** Registers the backend with tfjs (imports its package, points it at its binaries). */
  prepare(options?: UseBackendOptions): Promise<void>;
}

/** What WebGPU says about an adapter (`GPUAdapter.info`, `isFallbackAdapter`); every field optional. */
export interface GpuAdapterDescription {
  /** The vendor (a name, or a PCI vendor id as a decimal string under Deno/wgpu). */
  vendor?: string;
  /** The architecture, often empty. */
  architecture?: string;
  /** The device id or name. */
  device?: string;
  /** The driver's description, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits)"` or `"NVIDIA H200"`. */
  description?: string;
  /** WebGPU's own flag for a fallback (software) adapter, where the runtime reports it. */
  isFallbackAdapter?: boolean;
}

/** Software rasterizers by the name their driver reports. */
const SOFTWARE_GPU_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|swrast|microsoft basic render|\bwarp\b/i;
/** PCI vendor ids only software drivers use: Mesa's 0x10005 (llvmpipe, lavapipe) and Google's 0x1AE0 (SwiftShader). */
const SOFTWARE_GPU_VENDORS: ReadonlySet<string> = new Set(["65541", "0x10005", "6880", "0x1ae0"]);

/**
 * Why a WebGPU adapter is a software or fallback one, or undefined for a hardware adapter.
 *
 * @param adapter What the adapter reports.
 * @returns A short reason (`"isFallbackAdapter is true"`, `"driver llvmpipe (…)"`, `"vendor id 65541 (a
 * software driver's)"`), or undefined.
 *
 * @example
 * ```ts
 * import { softwareAdapterReason } from "@dpo-kernels/dpo-kernels/model";
 * import assert from "node:assert/strict";
 * assert.match(softwareAdapterReason({ vendor: "65541", description: "llvmpipe (LLVM 15.0.6, 256 bits)" })!, /llvmpipe/);
 * assert.equal(softwareAdapterReason({ vendor: "4318", description: "NVIDIA H200" }), undefined);
 * ```
 */
export function softwareAdapterReason(adapter: GpuAdapterDescription): string | undefined {
  if (adapter.isFallbackAdapter === true) return "isFallbackAdapter is true";
  for (const field of ["description", "device", "architecture", "vendor"] as const) {
    const value = adapter[field];
    if (typeof value === "string" && SOFTWARE_GPU_NAMES.test(value)) return `driver ${value}`;
  }
  const vendor = (adapter.vendor ?? "").toLowerCase();
  if (SOFTWARE_GPU_VENDORS.has(vendor)) return `vendor id ${adapter.vendor} (a software driver's)`;
  return undefined;
}

/**
 * One line describing a WebGPU adapter: vendor, architecture, description (and device), as a run's log shows it.
 *
 * @param adapter What the adapter reports.
 * @returns `"webgpu adapter: vendor …, architecture …, description …"`.
 *
 * @example
 * ```ts
 * import { describeAdapter } from "@dpo-kernels/dpo-kernels/model";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   describeAdapter({ vendor: "4318", architecture: "", device: "8837", description: "NVIDIA H200" }),
 *   'webgpu adapter: vendor 4318, architecture "", description "NVIDIA H200", device 8837',
 * );
 * ```
 */
export function describeAdapter(adapter: GpuAdapterDescription): string {
  const fallback = adapter.isFallbackAdapter === true ? ", fallback adapter" : "";
  return `webgpu adapter: vendor ${adapter.vendor ?? "?"}, architecture ${
    JSON.stringify(adapter.architecture ?? "")
  }, description ${JSON.stringify(adapter.description ?? "")}, device ${adapter.device ?? "?"}${fallback}`;
}

function allowSoftwareGpuFromEnv(): boolean {
  try {
    const v = Deno.env.get("DPO_KERNELS_ALLOW_SOFTWARE_GPU");
    return v === "1" || v === "true";
  } catch {
    return false; // no --allow-env: behave as if unset
  }
}

/**
 * Restricts wgpu to its Vulkan backend on Linux, unless the user chose backends with `DENO_WEBGPU_BACKEND`.
 *
 * Why (issue 8): by default wgpu initializes every backend it finds. On Linux that is Vulkan *and* OpenGL
 * through EGL, and with Mesa installed the OpenGL one is a second, unused software driver (`swrast_dri.so`,
 * llvmpipe) next to the Vulkan adapter actually chosen. The test process that did so died, rarely, at exit with
 * glibc's "malloc_consolidate(): unaligned fastbin chunk detected" while a tokio thread freed its arena; with
 * Vulkan alone neither EGL nor swrast is loaded (`LD_DEBUG=files`). wgpu's OpenGL backend is a fallback on Linux,
 * so nothing a GPU machine uses is lost. Deno reads the variable when the first adapter is requested, so this
 * must run before any `navigator.gpu.requestAdapter()` in the process.
 *
 * @param env The environment (default `Deno.env`); without `--allow-env` nothing changes.
 * @param os The operating system (default `Deno.build.os`).
 * @returns The backends wgpu will use (`"vulkan"`, the user's choice, or `undefined` off Linux).
 * @example
 * ```ts
 * import { preferVulkanOnLinux } from "@dpo-kernels/dpo-kernels/model";
 * import assert from "node:assert/strict";
 * const vars = new Map<string, string>();
 * const env = { get: (k: string) => vars.get(k), set: (k: string, v: string) => void vars.set(k, v) };
 * assert.equal(preferVulkanOnLinux(env, "linux"), "vulkan");
 * vars.set("DENO_WEBGPU_BACKEND", "gl");
 * assert.equal(preferVulkanOnLinux(env, "linux"), "gl");
 * ```
 */
export function preferVulkanOnLinux(
  env: { get(key: string): string | undefined; set(key: string, value: string): void } = Deno.env,
  os: string = Deno.build.os,
): string | undefined {
  try {
    const chosen = env.get("DENO_WEBGPU_BACKEND");
    if (chosen !== undefined && chosen !== "") return chosen;
    if (os !== "linux") return undefined;
    env.set("DENO_WEBGPU_BACKEND", "vulkan");
    return "vulkan";
  } catch {
    return undefined; // no --allow-env: leave wgpu's default
  }
}

let wasmPrepared = false;

/** The backends, by name. */
export const BACKENDS: Readonly<
  Record<"wasm" | "cpu" | "webgpu" | "tensorflow" | "wasm-blas", BackendEntry>
> = Object
  .freeze({
    wasm: {
      description: "WebAssembly with SIMD (the CPU path when no BLAS library is installed)",
      prepare: async () => {
        if (wasmPrepared) return;
        const wasm = await import("@tensorflow/tfjs-backend-wasm");
        // The .wasm binaries ship inside the npm package; point tfjs at them on disk.
        const entry = import.meta.resolve("@tensorflow/tfjs-backend-wasm");
        const dir = entry.startsWith("file:") ? new URL("./", entry).pathname : undefined;
        if (dir !== undefined) {
          wasm.setWasmPaths(dir.endsWith("/dist/") ? dir : dir.replace(/[^/]*\/?$/, "") + "");
        }
        wasmPrepared = true;
      },
    },
    cpu: { description: "plain JavaScript (slow, the reference)", prepare: () => Promise.resolve() },
    webgpu: {
      description: "WebGPU through Deno's built-in navigator.gpu (the GPU path; needs --unstable-webgpu)",
      prepare: async (options: UseBackendOptions = {}) => {
        const gpu = (navigator as unknown as {
          gpu?: {
            requestAdapter(): Promise<{ info?: GpuAdapterDescription; isFallbackAdapter?: boolean } | null>;
          };
        }).gpu;
        if (gpu === undefined) {
          throw new Error("backend webgpu: navigator.gpu is missing; run Deno with --unstable-webgpu");
        }
        preferVulkanOnLinux();
        const adapter = await gpu.requestAdapter();
        if (adapter === null) {
          throw new Error(
            "backend webgpu: no WebGPU adapter; install a GPU driver, or Mesa's software Vulkan " +
              "(apt-get install mesa-vulkan-drivers) to exercise the path without a GPU",
          );
        }
        const info: GpuAdapterDescription = {
          vendor: adapter.info?.vendor,
          architecture: adapter.info?.architecture,
          device: adapter.info?.device,
          description: adapter.info?.description,
          isFallbackAdapter: adapter.isFallbackAdapter,
        };
        const line = describeAdapter(info);
        const reason = softwareAdapterReason(info);
        if (reason !== undefined && !(options.allowSoftwareGpu ?? allowSoftwareGpuFromEnv())) {
          throw new Error(
            `backend webgpu: the WebGPU adapter is a software one (${reason}; ${line}), which runs on the CPU ` +
              "slower than the wasm backend. Use the wasm backend, install a GPU driver, or pass " +
              "--allow-software-gpu (or set DPO_KERNELS_ALLOW_SOFTWARE_GPU=1; useBackend's allowSoftwareGpu) to run on it",
          );
        }
        (options.log ?? console.error)(reason === undefined ? line : `${line} (software: ${reason})`);
        await import("@tensorflow/tfjs-backend-webgpu");
      },
    },
    tensorflow: {
      description: "libtensorflow through @tensorflow/tfjs-node or -node-gpu, if you installed one yourself",
      prepare: async () => {
        const errors: string[] = [];
        // Bare specifiers: they resolve only where the user added the package to their import map, so nothing is
        // downloaded behind their back (its install script fetches libtensorflow, which must be the user's call).
        for (const name of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
          try {
            await import(name);
            return;
          } catch (e) {
            errors.push(`${name}: ${(e as Error).message.split("\n")[0]}`);
          }
        }
        throw new Error(
          "backend tensorflow needs @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA 11.2, cuDNN 8.1): " +
            "`npm install @tensorflow/tfjs-node@4.22.0` (its install script downloads libtensorflow) and map it in your " +
            `deno.json imports; neither loaded (${errors.join("; ")})`,
        );
      },
    },
    "wasm-blas": {
      description:
        "wasm with its matrix products in the system's OpenBLAS (or Accelerate) through FFI: the fastest " +
        "CPU path (needs --allow-ffi and libopenblas0-pthread; DPO_KERNELS_BLAS names another CBLAS library)",
      prepare: async () => {
        await BACKENDS.wasm.prepare();
        registerWasmBlas();
      },
    },
  });

/** The name of a backend. */
export type BackendName = keyof typeof BACKENDS;

/**
 * Switches TensorFlow.js to a backend and checks that it took.
 *
 * @param name `wasm` (default), `cpu`, `webgpu` or `tensorflow`.
 * @param options For webgpu: whether a software adapter is accepted, and where the adapter's line is logged
 * (the adapter's vendor, architecture and description are logged before anything else runs on it).
 * @returns The backend's name as tfjs reports it.
 * @throws {RangeError} For an unknown name.
 * @throws {Error} If the backend cannot be prepared or initialized (never falls back silently), or webgpu's
 * adapter is a software or fallback one and `allowSoftwareGpu` is not given.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "@dpo-kernels/dpo-kernels/model";
 * import assert from "node:assert/strict";
 * const previous = tf.getBackend();
 * assert.equal(await useBackend("cpu"), "cpu");
 * assert.equal(tf.getBackend(), "cpu");
 * await assert.rejects(() => useBackend("abacus"), RangeError);
 * if (previous) await tf.setBackend(previous); // the backend is global: leave it as found
 * ```
 */
export async function useBackend(name: string = "wasm", options: UseBackendOptions = {}): Promise<string> {
  const entry = lookup(BACKENDS as Readonly<Record<string, BackendEntry>>, name, "backend");
  await entry.prepare(options);
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(
      `backend ${name} failed to initialize (tfjs is on ${tf.getBackend()}); refusing to fall back`,
    );
  }
  await tf.ready();
  return tf.getBackend();
}

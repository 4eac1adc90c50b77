/**
 * TensorFlow.js backends, by name, and the one function that switches to one. A backend that fails to
 * initialize is an error, never a silent fall-back (`tf.setBackend` returns false and leaves tfjs on cpu).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { describe } from "../math/validation.ts";
import { registerWasmBlas } from "./blas_kernels.ts";

/** One backend: how to make it available before `tf.setBackend`. */
export interface BackendEntry {
  /** What it is, for `--help`. */
  description: string;
  /** Registers the backend with tfjs (imports its package, points it at its binaries). */
  prepare(): Promise<void>;
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
      prepare: async () => {
        const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
        if (gpu === undefined) {
          throw new Error("backend webgpu: navigator.gpu is missing; run Deno with --unstable-webgpu");
        }
        if ((await gpu.requestAdapter()) === null) {
          throw new Error(
            "backend webgpu: no WebGPU adapter; install a GPU driver, or Mesa's software Vulkan " +
              "(apt-get install mesa-vulkan-drivers) to exercise the path without a GPU",
          );
        }
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
 * @returns The backend's name as tfjs reports it.
 * @throws {RangeError} For an unknown name.
 * @throws {Error} If the backend cannot be prepared or initialized (never falls back silently).
 */
export async function useBackend(name: string = "wasm"): Promise<string> {
  const entry = (BACKENDS as Record<string, BackendEntry>)[name];
  if (entry === undefined) {
    throw new RangeError(`backend must be one of ${Object.keys(BACKENDS).join(", ")}, got ${describe(name)}`);
  }
  await entry.prepare();
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(
      `backend ${name} failed to initialize (tfjs is on ${tf.getBackend()}); refusing to fall back`,
    );
  }
  await tf.ready();
  return tf.getBackend();
}

import * as tf from "@tensorflow/tfjs";
import {
  BACKENDS,
  describeAdapter,
  preferVulkanOnLinux,
  softwareAdapterReason,
  useBackend,
} from "../lib/model/backend.ts";
import { assert } from "./_assert.ts";

// Before any adapter request in this process (issue 8): wgpu on Vulkan only, as useBackend("webgpu") sets it.
preferVulkanOnLinux();

Deno.test("webgpu: wgpu is kept to Vulkan on Linux unless the user chose; never crashes without --allow-env", () => {
  const fake = (initial: Record<string, string>) => {
    const vars = new Map(Object.entries(initial));
    return {
      vars,
      env: { get: (k: string) => vars.get(k), set: (k: string, v: string) => void vars.set(k, v) },
    };
  };
  const a = fake({});
  assert.equal(preferVulkanOnLinux(a.env, "linux"), "vulkan");
  assert.equal(a.vars.get("DENO_WEBGPU_BACKEND"), "vulkan");
  const b = fake({ DENO_WEBGPU_BACKEND: "vulkan,gl" });
  assert.equal(preferVulkanOnLinux(b.env, "linux"), "vulkan,gl");
  assert.equal(b.vars.get("DENO_WEBGPU_BACKEND"), "vulkan,gl");
  const c = fake({});
  assert.equal(preferVulkanOnLinux(c.env, "darwin"), undefined);
  assert.equal(c.vars.size, 0);
  const denied = {
    get: (): string | undefined => {
      throw new Deno.errors.NotCapable("env");
    },
    set: () => {},
  };
  assert.equal(preferVulkanOnLinux(denied, "linux"), undefined);
});

Deno.test({
  name:
    "webgpu: with an adapter in use, the process has loaded neither EGL nor Mesa's OpenGL swrast (issue 8)",
  ignore: Deno.build.os !== "linux",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (gpu === undefined || (await gpu.requestAdapter()) === null) {
      console.log("skipped: no WebGPU adapter (run with --unstable-webgpu and a GPU or mesa-vulkan-drivers)");
      return;
    }
    // Deno asks for --allow-all to read /proc/self/maps itself; the test command grants --allow-run.
    const cat = await new Deno.Command("cat", { args: [`/proc/${Deno.pid}/maps`] }).output();
    const maps = new TextDecoder().decode(cat.stdout);
    assert.equal(Deno.env.get("DENO_WEBGPU_BACKEND"), "vulkan");
    assert.doesNotMatch(maps, /swrast_dri\.so|libEGL_mesa/);
    assert.match(maps, /libvulkan/);
  },
});

Deno.test("backends: each named one initializes or fails loudly; never a silent fall-back", async () => {
  assert.equal(await useBackend("cpu"), "cpu");
  assert.equal(await useBackend("wasm"), "wasm");
  await assert.rejects(
    () => useBackend("cuda"),
    /backend must be one of wasm, cpu, webgpu, tensorflow, wasm-blas, got "cuda"/,
  );
  // tfjs-node is not installed here: the error names what to install, and tfjs stays where it was.
  await assert.rejects(() => useBackend("tensorflow"), /@tensorflow\/tfjs-node/);
  assert.equal(tf.getBackend(), "wasm");
  assert.deepEqual(Object.keys(BACKENDS), ["wasm", "cpu", "webgpu", "tensorflow", "wasm-blas"]);
  await useBackend("cpu");
});

Deno.test("webgpu: software and fallback adapters are recognized, hardware ones are not", () => {
  // Adapters as Deno 2.9 (wgpu) reports them: Mesa's llvmpipe here, lavapipe, SwiftShader, a fallback flag.
  const software = [
    { vendor: "65541", architecture: "", device: "0", description: "llvmpipe (LLVM 15.0.6, 256 bits)" },
    { vendor: "65541", description: "" },
    { vendor: "0x10005", description: "lavapipe" },
    { vendor: "6880", device: "49374", description: "SwiftShader Device (Subzero)" },
    { vendor: "4318", description: "NVIDIA H200", isFallbackAdapter: true },
    { vendor: "", description: "Microsoft Basic Render Driver" },
  ];
  for (const a of software) assert.ok(softwareAdapterReason(a) !== undefined, JSON.stringify(a));
  const hardware = [
    { vendor: "4318", architecture: "", device: "8837", description: "NVIDIA H200" },
    { vendor: "4098", description: "AMD Radeon RX 7900 XTX (RADV NAVI31)" },
    { vendor: "32902", description: "Intel(R) Graphics (ADL GT2)" },
    { vendor: "apple", architecture: "metal-3", description: "" },
    {},
  ];
  for (const a of hardware) assert.equal(softwareAdapterReason(a), undefined, JSON.stringify(a));
  assert.equal(
    describeAdapter(software[0]!),
    'webgpu adapter: vendor 65541, architecture "", description "llvmpipe (LLVM 15.0.6, 256 bits)", device 0',
  );
});

Deno.test({
  name: "webgpu: a software adapter is refused unless allowed; the adapter is logged first",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const gpu = (navigator as unknown as {
      gpu?: { requestAdapter(): Promise<{ info: Record<string, string> } | null> };
    }).gpu;
    const adapter = await gpu?.requestAdapter();
    if (adapter === undefined || adapter === null) {
      console.log("skipped: no WebGPU adapter (run with --unstable-webgpu and a GPU or mesa-vulkan-drivers)");
      return;
    }
    const info = {
      vendor: adapter.info.vendor,
      architecture: adapter.info.architecture,
      device: adapter.info.device,
      description: adapter.info.description,
    };
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    if (softwareAdapterReason(info) !== undefined) {
      await assert.rejects(
        useBackend("webgpu", { log, allowSoftwareGpu: false }),
        (e: Error) =>
          /is a software one/.test(e.message) && e.message.includes(info.description!) &&
          /DPO_KERNELS_ALLOW_SOFTWARE_GPU=1/.test(e.message),
      );
      assert.deepEqual(lines, []);
      assert.equal(tf.getBackend(), "cpu");
    }
    assert.equal(await useBackend("webgpu", { log, allowSoftwareGpu: true }), "webgpu");
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.startsWith(describeAdapter(info)), String(lines[0]));
    await useBackend("cpu");
  },
});

/**
 * The WebGPU backend under Node: tfjs's `@tensorflow/tfjs-backend-webgpu` on Dawn, which the
 * `webgpu` npm package ships prebuilt (`dawn.node`, nothing downloaded at install). Both are
 * optional dependencies. Dawn reaches the GPU through Vulkan, so on an NVIDIA machine it needs the
 * driver's Vulkan ICD (`NVIDIA_DRIVER_CAPABILITIES` including `graphics` in containers); without a
 * GPU, Mesa's lavapipe (a CPU Vulkan driver; Debian bookworm-backports' 25.x, bookworm's 22.3 is
 * refused by Dawn) gives a *software* adapter, which is correct but slow: it is used only when
 * forced with `CLIPDOWN_BACKEND=webgpu` (the parity tests do), never chosen on its own.
 *
 * tfjs looks for `navigator.gpu` when the backend registers (tfjs issue 8066), so the Dawn instance
 * is installed as `globalThis.navigator.gpu` first.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";

/** What Dawn says about the adapter (GPUAdapterInfo), plus whether it is a software rasteriser. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean;
  /** A few limits that bound model and batch size. */
  limits: Record<string, number>;
}

interface GpuAdapter {
  info?: Record<string, unknown>;
  isFallbackAdapter?: boolean;
  limits?: Record<string, number>;
}

interface Gpu {
  requestAdapter(opts?: Record<string, unknown>): Promise<GpuAdapter | null>;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|software/i;
const LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
];

let gpu: Gpu | undefined;

/** Installs Dawn as navigator.gpu once; throws naming the package when it cannot load. */
function dawn(): Gpu {
  if (gpu) return gpu;
  let mod: { create(flags: string[]): Gpu; globals: Record<string, unknown> };
  try {
    mod = require("webgpu");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(
      err.code === "MODULE_NOT_FOUND"
        ? "the webgpu package is not installed (optional dependency)"
        : `webgpu failed to load: ${String(err.message).split("\n")[0]}`,
    );
  }
  Object.assign(globalThis, mod.globals);
  gpu = mod.create([]);
  const nav = (globalThis as { navigator?: Record<string, unknown> }).navigator;
  if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

function describe(a: GpuAdapter): AdapterInfo {
  const i = a.info ?? {};
  const s = (k: string) => (typeof i[k] === "string" ? (i[k] as string) : "");
  const info = {
    vendor: s("vendor"),
    architecture: s("architecture"),
    device: s("device"),
    description: s("description"),
  };
  const software =
    Boolean(a.isFallbackAdapter ?? i.isFallbackAdapter) || SOFTWARE.test(Object.values(info).join(" "));
  const limits: Record<string, number> = {};
  for (const k of LIMITS) if (typeof a.limits?.[k] === "number") limits[k] = a.limits[k]!;
  return { ...info, software, limits };
}

let adapter: AdapterInfo | undefined;

const ICD_DIRS = ["/etc/vulkan/icd.d", "/usr/share/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"];
const SOFTWARE_ICD = /lvp|lavapipe|swiftshader/i;

/**
 * The Vulkan drivers (ICD manifests) the loader would see: `VK_ICD_FILENAMES` /
 * `VK_DRIVER_FILES`, else the standard folders. Looking first means a machine with only Mesa's
 * lavapipe (CI) or no Vulkan at all never starts Dawn, which costs time and prints warnings.
 */
export function vulkanDrivers(env: NodeJS.ProcessEnv = process.env): {
  hardware: string[];
  software: string[];
} {
  const listed = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? "").split(":").filter(Boolean);
  const files = listed.length
    ? listed
    : ICD_DIRS.flatMap((d) => {
        try {
          return fs
            .readdirSync(d)
            .filter((f) => f.endsWith(".json"))
            .map((f) => path.join(d, f));
        } catch {
          // An ICD folder that does not exist here: no Vulkan drivers from it.
          return [];
        }
      });
  const software = files.filter((f) => SOFTWARE_ICD.test(path.basename(f)));
  return { hardware: files.filter((f) => !software.includes(f)), software };
}

/** The adapter backing the webgpu backend, once `loadWebgpu` succeeded. */
export function webgpuAdapter(): AdapterInfo | undefined {
  return adapter;
}

/**
 * Loads Dawn and the tfjs WebGPU backend if a suitable adapter exists. A software adapter is
 * refused unless `allowSoftware` (CLIPDOWN_BACKEND=webgpu). Throws with the reason otherwise.
 */
/** GPU device nodes: NVIDIA's `/dev/nvidia0…`, or a DRM render node (AMD, Intel). */
export function gpuDevices(): string[] {
  const list = (dir: string, re: RegExp) => {
    try {
      return fs
        .readdirSync(dir)
        .filter((f) => re.test(f))
        .map((f) => path.join(dir, f));
    } catch {
      // A library folder that does not exist here: nothing to find in it.
      return [];
    }
  };
  return [...list("/dev", /^nvidia\d+$/), ...list("/dev/dri", /^renderD\d+$/)];
}

export async function loadWebgpu(allowSoftware: boolean): Promise<AdapterInfo> {
  // Without a GPU device node there is no hardware adapter to find: Dawn is not even started
  // (it costs time and prints warnings), unless forced, when lavapipe is what it will use.
  if (!allowSoftware && gpuDevices().length === 0) {
    throw new Error(
      "no GPU device (/dev/nvidia*, /dev/dri/renderD*); CLIPDOWN_BACKEND=webgpu forces a software adapter",
    );
  }
  const icd = vulkanDrivers();
  if (!allowSoftware && icd.hardware.length === 0) {
    throw new Error(
      icd.software.length
        ? "only a software Vulkan driver is installed (Mesa's lavapipe); used only with CLIPDOWN_BACKEND=webgpu"
        : "no Vulkan driver (ICD) found: a GPU's driver ICD, or Mesa's lavapipe for CLIPDOWN_BACKEND=webgpu",
    );
  }
  const a = await dawn().requestAdapter({ powerPreference: "high-performance" });
  if (!a)
    throw new Error(
      "no WebGPU adapter (no Vulkan driver: a GPU's ICD, or Mesa's lavapipe from bookworm-backports)",
    );
  const info = describe(a);
  const name = info.description || info.device || info.vendor || "unnamed adapter";
  if (info.software && !allowSoftware) {
    throw new Error(
      `only a software adapter (${name}); correct but slow, used only with CLIPDOWN_BACKEND=webgpu`,
    );
  }
  if (!tf.findBackend("webgpu")) {
    try {
      require("@tensorflow/tfjs-backend-webgpu");
    } catch (e) {
      throw new Error(
        `@tensorflow/tfjs-backend-webgpu failed to load: ${String((e as Error).message).split("\n")[0]}`,
      );
    }
  }
  adapter = info;
  return info;
}

/**
 * Backend chooser. Order: tfjs-node-gpu (CUDA), webgpu (Dawn, on a hardware adapter only),
 * tfjs-node (native CPU), wasm (SIMD), cpu (pure JS); the first that loads AND passes a one-op
 * self-test wins. The native packages and webgpu are optional dependencies, so they are required
 * lazily and a missing one is recorded with its reason rather than failing. `CLIPDOWN_BACKEND`
 * forces one (`webgpu` then also accepts a software adapter such as Mesa's lavapipe).
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { fusedFromEnv, markFusedAvailable } from "./fused";
import { registerWasmKernels } from "./kernels";
import { threadsFromEnv } from "./kernels/gemm-pool";
import { registerWebgpuKernels } from "./kernels/webgpu";
import { type AdapterInfo, loadWebgpu, webgpuAdapter } from "./webgpu";

export interface BackendInfo {
  /** tfjs backend name in use: "tensorflow" | "webgpu" | "wasm" | "cpu". */
  backend: string;
  /** Why this backend was chosen. */
  reason: string;
  /** Backends tried before it and why each was not used. */
  skipped: { backend: string; reason: string }[];
  threads: number;
  /** Threads clipdown's GEMM splits large matmuls over (CLIPDOWN_THREADS; fused wasm only). */
  gemmThreads: number;
  simd: boolean;
  versions: Record<string, string>;
  /** Custom kernels/gradients clipdown registered for this backend. */
  kernels: string[];
  /** Whether the fused training kernels are used ("on"), switched off, or unavailable (and why). */
  fused: string;
  /** The WebGPU adapter (webgpu backend only). */
  adapter?: AdapterInfo;
}

/** Names accepted by CLIPDOWN_BACKEND. */
export const BACKEND_NAMES = ["tensorflow", "webgpu", "wasm", "cpu"] as const;

interface Candidate {
  /** Label shown in `skipped`. */
  label: string;
  /** tfjs backend name it registers. */
  backend: (typeof BACKEND_NAMES)[number];
  /** Loads the package; throws if unavailable. `forced`: CLIPDOWN_BACKEND names this backend. */
  load: (forced: boolean) => unknown;
}

const nodeRequire = require;

function loadNative(pkg: string): () => void {
  return () => {
    try {
      nodeRequire(pkg);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "MODULE_NOT_FOUND" && String(err.message).includes(pkg)) {
        throw new Error("module not installed (MODULE_NOT_FOUND)");
      }
      throw new Error(`failed to load: ${err.message.split("\n")[0]}`);
    }
  };
}

const CANDIDATES: Candidate[] = [
  {
    label: "@tensorflow/tfjs-node-gpu",
    backend: "tensorflow",
    load: loadNative("@tensorflow/tfjs-node-gpu"),
  },
  { label: "webgpu", backend: "webgpu", load: (forced) => loadWebgpu(forced) },
  { label: "@tensorflow/tfjs-node", backend: "tensorflow", load: loadNative("@tensorflow/tfjs-node") },
  { label: "wasm", backend: "wasm", load: () => {} },
  { label: "cpu", backend: "cpu", load: () => {} },
];

/** [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]: catches a backend that loads but computes wrong. */
async function selfTest(): Promise<string | undefined> {
  const got = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  // Asynchronous read: webgpu cannot read synchronously under Node.
  const v = Array.from(await got.data());
  got.dispose();
  const want = [19, 22, 43, 50];
  return v.every((x, i) => Math.abs(x - want[i]!) < 1e-5)
    ? undefined
    : `self-test matMul gave [${v}], want [${want}]`;
}

async function tryCandidate(c: Candidate, forced: boolean): Promise<string | undefined> {
  try {
    await c.load(forced);
  } catch (e) {
    return (e as Error).message;
  }
  try {
    if (!(await tf.setBackend(c.backend))) return `tf.setBackend('${c.backend}') failed`;
  } catch (e) {
    return `tf.setBackend('${c.backend}') threw: ${(e as Error).message}`;
  }
  return await selfTest();
}

let info: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/** Reads CLIPDOWN_BACKEND; throws listing the valid names for an unknown one. */
export function forcedBackend(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.CLIPDOWN_BACKEND?.trim();
  if (!v) return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(v)) {
    throw new Error(`CLIPDOWN_BACKEND='${v}' is not a backend; valid names: ${BACKEND_NAMES.join(", ")}`);
  }
  return v;
}

/**
 * The cpu backend prints a "Hi, looks like you are running TensorFlow.js in Node.js ... install
 * tfjs-node" banner on its first tensor write. clipdown already tried tfjs-node itself (see
 * `skipped`), so the banner is noise; it is disabled through the backend's own one-shot flag rather
 * than prod mode, which would also silence real warnings.
 */
function quietCpuBanner(): void {
  const cpu = tf.findBackend("cpu") as (tf.KernelBackend & { firstUse?: boolean }) | null;
  if (cpu && "firstUse" in cpu) cpu.firstUse = false;
}

async function choose(): Promise<BackendInfo> {
  const forced = forcedBackend();
  quietCpuBanner();
  const skipped: BackendInfo["skipped"] = [];
  for (const c of CANDIDATES) {
    if (forced && c.backend !== forced) continue;
    const why = await tryCandidate(c, forced === c.backend);
    if (why === undefined) {
      const reg =
        c.backend === "wasm"
          ? registerWasmKernels()
          : c.backend === "webgpu"
            ? { kernels: registerWebgpuKernels(), fusedError: undefined }
            : { kernels: [], fusedError: undefined };
      const fusedOk = c.backend === "wasm" && !reg.fusedError;
      markFusedAvailable(fusedOk);
      const fused = !fusedOk
        ? (reg.fusedError ?? `unavailable on ${c.backend} (wasm only)`)
        : fusedFromEnv()
          ? "on"
          : "off (CLIPDOWN_FUSED=0)";
      const simd = c.backend === "wasm" ? Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) : false;
      const versions: Record<string, string> = {
        tfjs: tf.version_core,
        node: process.versions.node,
        "tfjs-backend-wasm": wasm.version_wasm,
      };
      if (c.backend === "tensorflow") versions.native = c.label;
      return {
        backend: c.backend,
        reason: forced
          ? `forced by CLIPDOWN_BACKEND=${forced}`
          : `first backend that loaded and passed the self-test (${c.label})`,
        skipped,
        threads: c.backend === "wasm" ? wasm.getThreadsCount() : 1,
        gemmThreads: fusedOk ? threadsFromEnv() : 1,
        simd,
        versions,
        kernels: reg.kernels,
        fused,
        ...(c.backend === "webgpu" && webgpuAdapter() ? { adapter: webgpuAdapter()! } : {}),
      };
    }
    skipped.push({ backend: c.label, reason: why });
  }
  const detail = skipped.map((s) => `${s.backend}: ${s.reason}`).join("; ");
  throw new Error(
    forced
      ? `CLIPDOWN_BACKEND=${forced} could not be initialised (${detail}); unset it to pick automatically`
      : `no tfjs backend could be initialised (${detail})`,
  );
}

/** Chooses and initialises the backend once; later calls return the same info. */
export async function initBackend(): Promise<BackendInfo> {
  if (info) return info;
  pending ??= choose().then(
    (i) => {
      info = i;
      return i;
    },
    (e) => {
      pending = undefined;
      throw e;
    },
  );
  return pending;
}

/** The chosen backend, or undefined before `initBackend()` resolved. */
export function backendInfo(): BackendInfo | undefined {
  return info;
}

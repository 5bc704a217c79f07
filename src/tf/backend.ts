// Minimal placeholder-free first version: picks wasm, else cpu. Replaced by the full chooser.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

export interface BackendInfo {
  backend: string;
  skipped: { backend: string; reason: string }[];
  threads: number;
}

let info: BackendInfo | undefined;

export async function initBackend(): Promise<BackendInfo> {
  if (info) return info;
  const skipped: BackendInfo["skipped"] = [];
  for (const name of ["wasm", "cpu"]) {
    if (await tf.setBackend(name)) {
      info = { backend: name, skipped, threads: 1 };
      return info;
    }
    skipped.push({ backend: name, reason: "setBackend failed" });
  }
  throw new Error("no tfjs backend could be initialised");
}

export function backendInfo(): BackendInfo | undefined {
  return info;
}

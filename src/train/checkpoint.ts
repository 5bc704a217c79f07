/**
 * Training checkpoints as one safetensors file: parameters (`param/…`), buffers (`buffer/…`),
 * optimizer moments (`adam_m/…`, `adam_v/…`) and, in `__metadata__`, the step, samples seen,
 * optimizer step count, seed, data-loader state and the run config (JSON strings).
 */
import { tf } from "../tf";
import { readSafetensors, type StTensor, writeSafetensors } from "./safetensors";

export interface CheckpointState {
  step: number;
  samples: number;
  /** AdamW update count (bias correction). */
  optimizerT: number;
  seed: number;
  loader: unknown;
  config: unknown;
}

/** Variables saved under their group prefix, e.g. `{ param: model.params, buffer: model.buffers }`. */
export type VariableGroups = Record<string, Record<string, tf.Variable>>;

function toSt(v: tf.Variable): StTensor {
  // dataSync outside any tidy (see compute-notes §6): a checkpoint is a sync point anyway.
  const data = v.dataSync();
  if (v.dtype === "int32") return { dtype: "I32", shape: v.shape, data: Int32Array.from(data) };
  return { dtype: "F32", shape: v.shape, data: Float32Array.from(data) };
}

/** Saves all variables + state to `path` atomically (tmp file + rename). */
export function saveCheckpoint(path: string, groups: VariableGroups, state: CheckpointState): void {
  const tensors: Record<string, StTensor> = {};
  for (const [group, vars] of Object.entries(groups)) {
    for (const [name, v] of Object.entries(vars)) tensors[`${group}/${name}`] = toSt(v);
  }
  const metadata: Record<string, string> = {
    format: "clipdown-checkpoint-v1",
    step: String(state.step),
    samples: String(state.samples),
    optimizer_t: String(state.optimizerT),
    seed: String(state.seed),
    loader: JSON.stringify(state.loader ?? null),
    config: JSON.stringify(state.config ?? null),
  };
  writeSafetensors(path, { tensors, metadata });
}

/**
 * Loads a checkpoint into existing variables (shapes must match) and returns the saved state.
 * Every variable in `groups` must be present: a missing or mis-shaped one is an error naming it.
 */
export function loadCheckpoint(path: string, groups: VariableGroups): CheckpointState {
  const file = readSafetensors(path);
  if (file.metadata.format !== "clipdown-checkpoint-v1") {
    throw new Error(`${path}: not a clipdown checkpoint (metadata.format = ${file.metadata.format})`);
  }
  for (const [group, vars] of Object.entries(groups)) {
    for (const [name, v] of Object.entries(vars)) {
      const key = `${group}/${name}`;
      const t = file.tensors[key];
      if (!t)
        throw new Error(`${path}: checkpoint has no tensor "${key}" (was it written by a different model?)`);
      if (t.shape.join(",") !== v.shape.join(",")) {
        throw new Error(`${path}: "${key}" has shape [${t.shape}] but the model expects [${v.shape}]`);
      }
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, v.dtype === "int32" ? "int32" : "float32")));
    }
  }
  const m = file.metadata;
  return {
    step: Number(m.step),
    samples: Number(m.samples),
    optimizerT: Number(m.optimizer_t),
    seed: Number(m.seed),
    loader: JSON.parse(m.loader ?? "null"),
    config: JSON.parse(m.config ?? "null"),
  };
}

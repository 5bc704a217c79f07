/**
 * Training checkpoints as one safetensors file: parameters (`param/…`), buffers (`buffer/…`),
 * optimizer moments (`adam_m/…`, `adam_v/…`) and, in `__metadata__`, the step, samples seen,
 * optimizer step count, seed, data-loader state and the run config (JSON strings).
 *
 * Integrity (format v2): `__metadata__.checksums` holds the SHA-256 of every tensor (dtype, shape and
 * bytes) and of the other metadata entries, so a flipped byte anywhere is an error naming the file
 * and the tensor, never a silently different model. Whatever the version, reading also checks the
 * metadata by type and range and refuses non-finite weights or moments (a NaN Adam moment would
 * otherwise be clipped to 0 on some backends and resume "successfully" with a broken model).
 * v1 files (written before checksums) still load, with those checks only; `clipdown checkpoint
 * verify` says which a file is.
 */
import { createHash } from "node:crypto";
import { tf } from "../tf";
import { readSafetensors, type StFile, type StTensor, writeSafetensors } from "./safetensors";

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

export const CHECKPOINT_FORMAT = "clipdown-checkpoint-v2";
const LEGACY_FORMAT = "clipdown-checkpoint-v1";
const CHECKSUMS_KEY = "checksums";
/** The checksum entry that covers the metadata itself. */
const METADATA_ENTRY = "__metadata__";

/** A checkpoint that fails a check: the message names the file and what is wrong. */
export class CheckpointError extends Error {}

function tensorDigest(t: StTensor): string {
  const h = createHash("sha256");
  h.update(`${t.dtype}[${t.shape.join(",")}]`);
  h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return h.digest("hex");
}

function metadataDigest(metadata: Record<string, string>): string {
  const entries = Object.keys(metadata)
    .filter((k) => k !== CHECKSUMS_KEY)
    .sort()
    .map((k) => [k, metadata[k]]);
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex");
}

async function toSt(v: tf.Variable): Promise<StTensor> {
  // Read asynchronously: the webgpu backend cannot read synchronously under Node.
  const data = await v.data();
  if (v.dtype === "int32") return { dtype: "I32", shape: v.shape, data: Int32Array.from(data) };
  return { dtype: "F32", shape: v.shape, data: Float32Array.from(data) };
}

/** Saves all variables + state to `path` atomically (tmp file + rename), with checksums. */
export async function saveCheckpoint(
  path: string,
  groups: VariableGroups,
  state: CheckpointState,
): Promise<void> {
  const tensors: Record<string, StTensor> = {};
  for (const [group, vars] of Object.entries(groups)) {
    for (const [name, v] of Object.entries(vars)) tensors[`${group}/${name}`] = await toSt(v);
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    step: String(state.step),
    samples: String(state.samples),
    optimizer_t: String(state.optimizerT),
    seed: String(state.seed),
    loader: JSON.stringify(state.loader ?? null),
    config: JSON.stringify(state.config ?? null),
  };
  const sums: Record<string, string> = { [METADATA_ENTRY]: metadataDigest(metadata) };
  for (const name of Object.keys(tensors).sort()) sums[name] = tensorDigest(tensors[name]!);
  metadata[CHECKSUMS_KEY] = JSON.stringify(sums);
  writeSafetensors(path, { tensors, metadata });
}

export interface CheckedCheckpoint {
  file: StFile;
  state: CheckpointState;
  format: string;
  /** True when every tensor and the metadata matched their SHA-256 (v2); false for a v1 file. */
  checksummed: boolean;
}

function fail(path: string, what: string): never {
  throw new CheckpointError(`${path}: ${what}`);
}

const RESTORE_HINT = "the file is corrupt; resume from another checkpoint or train again";

function verifyChecksums(path: string, file: StFile): void {
  let sums: Record<string, unknown>;
  try {
    sums = JSON.parse(file.metadata[CHECKSUMS_KEY] ?? "");
  } catch {
    fail(
      path,
      `metadata "checksums" is missing or not JSON (a ${CHECKPOINT_FORMAT} file must have it); ${RESTORE_HINT}`,
    );
  }
  if (sums === null || typeof sums !== "object")
    fail(path, `metadata "checksums" is not an object; ${RESTORE_HINT}`);
  if (sums[METADATA_ENTRY] !== metadataDigest(file.metadata)) {
    fail(path, `the metadata does not match its checksum; ${RESTORE_HINT}`);
  }
  const names = Object.keys(file.tensors);
  for (const name of names) {
    if (sums[name] === undefined) fail(path, `tensor "${name}" has no checksum; ${RESTORE_HINT}`);
    if (sums[name] !== tensorDigest(file.tensors[name]!)) {
      fail(path, `tensor "${name}" does not match its checksum; ${RESTORE_HINT}`);
    }
  }
  for (const name of Object.keys(sums)) {
    if (name !== METADATA_ENTRY && !file.tensors[name])
      fail(path, `tensor "${name}" is missing; ${RESTORE_HINT}`);
  }
}

function count(path: string, m: Record<string, string>, key: string): number {
  const s = m[key];
  if (s === undefined || !/^\d{1,16}$/.test(s) || !Number.isSafeInteger(Number(s))) {
    fail(
      path,
      `metadata "${key}" must be a non-negative integer, got ${JSON.stringify(s ?? null)}; ${RESTORE_HINT}`,
    );
  }
  return Number(s);
}

function json(path: string, m: Record<string, string>, key: string): unknown {
  try {
    return JSON.parse(m[key] ?? "null");
  } catch {
    fail(path, `metadata "${key}" is not valid JSON; ${RESTORE_HINT}`);
  }
}

/** Weights, buffers and moments must be finite, and Adam's second moment non-negative. */
function checkValues(path: string, file: StFile): void {
  for (const [name, t] of Object.entries(file.tensors)) {
    if (t.dtype !== "F32") continue;
    const secondMoment = name.startsWith("adam_v/");
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const x = d[i]!;
      if (!Number.isFinite(x))
        fail(path, `tensor "${name}" holds a non-finite value (${x} at index ${i}); ${RESTORE_HINT}`);
      if (secondMoment && x < 0)
        fail(path, `tensor "${name}" holds a negative second moment (${x} at index ${i}); ${RESTORE_HINT}`);
    }
  }
}

/**
 * Reads a checkpoint and checks it whole: format, checksums (v2), metadata types and ranges, finite
 * values. Throws CheckpointError naming the file and the first problem.
 */
export function readCheckpoint(path: string): CheckedCheckpoint {
  let file: StFile;
  try {
    file = readSafetensors(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") fail(path, "no such checkpoint file");
    throw new CheckpointError(`${(e as Error).message}; ${RESTORE_HINT}`);
  }
  const format = file.metadata.format;
  if (format !== CHECKPOINT_FORMAT && format !== LEGACY_FORMAT) {
    fail(path, `not a clipdown checkpoint (metadata.format = ${JSON.stringify(format ?? null)})`);
  }
  // A v1 label on a file with checksums (a v2 file relabelled) is checked as v2: the label is covered.
  const checksummed = format === CHECKPOINT_FORMAT || file.metadata[CHECKSUMS_KEY] !== undefined;
  if (checksummed) verifyChecksums(path, file);
  const m = file.metadata;
  const state: CheckpointState = {
    step: count(path, m, "step"),
    samples: count(path, m, "samples"),
    optimizerT: count(path, m, "optimizer_t"),
    seed: count(path, m, "seed"),
    loader: json(path, m, "loader"),
    config: json(path, m, "config"),
  };
  checkValues(path, file);
  return { file, state, format, checksummed };
}

/**
 * Loads a checkpoint into existing variables (shapes must match) and returns the saved state.
 * Every variable in `groups` must be present: a missing or mis-shaped one is an error naming it.
 */
export function loadCheckpoint(path: string, groups: VariableGroups): CheckpointState {
  const { file, state } = readCheckpoint(path);
  for (const [group, vars] of Object.entries(groups)) {
    for (const [name, v] of Object.entries(vars)) {
      const key = `${group}/${name}`;
      const t = file.tensors[key];
      if (!t)
        throw new CheckpointError(
          `${path}: checkpoint has no tensor "${key}" (was it written by a different model?)`,
        );
      if (t.shape.join(",") !== v.shape.join(",")) {
        throw new CheckpointError(
          `${path}: "${key}" has shape [${t.shape}] but the model expects [${v.shape}]`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, v.dtype === "int32" ? "int32" : "float32")));
    }
  }
  return state;
}

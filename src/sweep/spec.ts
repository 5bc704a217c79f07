/**
 * Run specs are plain JSON data. A spec's identity is the SHA-256 of its canonical JSON (keys sorted
 * at every level, no whitespace, `undefined` members dropped), so the same run written with its keys
 * in any order lands in the same run directory, and changing any value moves it to a new one.
 *
 * What a spec contains is decided by its `kind` (see kinds.ts): `train` specs carry every
 * result-affecting training field; other kinds (quality scoring, test fakes) carry their own.
 */
import { createHash } from "node:crypto";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A validated, fully normalised run spec (every default filled in). */
export interface RunSpec {
  kind: string;
  [field: string]: Json;
}

/** Canonical JSON: sorted keys, no whitespace; rejects values JSON cannot represent exactly. */
export function canonicalJson(value: unknown, where = "spec"): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${where} is ${value}; specs hold finite numbers only`);
    // -0 and 0 are the same run.
    return JSON.stringify(value === 0 ? 0 : value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${where}[${i}]`)).join(",")}]`;
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k], `${where}.${k}`)}`).join(",")}}`;
  }
  throw new Error(
    `${where} is a ${typeof value}; specs hold JSON data only (numbers, strings, arrays, objects)`,
  );
}

/** Length of the hex hash used as run directory name (64 bits: collisions are not a concern here). */
export const HASH_LENGTH = 16;

/** The spec's identity: the first 16 hex digits of SHA-256 over its canonical JSON. */
export function specHash(spec: RunSpec): string {
  return createHash("sha256").update(canonicalJson(spec)).digest("hex").slice(0, HASH_LENGTH);
}

export function isHash(s: unknown): s is string {
  return typeof s === "string" && new RegExp(`^[0-9a-f]{${HASH_LENGTH}}$`).test(s);
}

/**
 * A path-valued spec field may name another run's output instead of a path: `run:<hash>` means
 * "the output of that run of this sweep" (e.g. the corpus a `noise` run wrote), so specs stay
 * independent of where the sweep root is, and the dependency is explicit.
 */
export const RUN_REF = "run:";

export function isRunRef(v: unknown): v is string {
  return typeof v === "string" && v.startsWith(RUN_REF) && isHash(v.slice(RUN_REF.length));
}

export function refHash(v: string): string {
  return v.slice(RUN_REF.length);
}

/**
 * `ensureData(root)`: builds whatever dataset under `root` (default `data/`) is missing or out of date,
 * and does nothing else. A dataset is up to date when its `manifest.json` records the fingerprint of
 * the current builder, parameters and input package versions and all its files are present, which is
 * checked without listing or decoding anything, so calling this when all is built costs milliseconds.
 *
 * Concurrent callers (parallel test files, two terminals) are serialised by a lock file
 * `<root>/.build.lock`; the second waits, then finds the work done.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type DatasetDef, datasetDefs } from "./datasets";
import { DEFAULT_PICTOGRAM_PARAMS, type PictogramParams } from "./pictograms";
import { buildFingerprint, isUpToDate, readManifest, removeStaleTemps, writeDataset } from "./write";

export interface EnsureDataOptions {
  /** No progress output. */
  quiet?: boolean;
  /** Rebuild even what is up to date. */
  force?: boolean;
  /** Only these datasets (folder names); default all but the on-demand ones (`pictograms-xl`). */
  only?: string[];
  /** Pre-training corpus choices (skin-tone variants, tabler filled, OpenClipart). */
  params?: Partial<PictogramParams>;
  /** Images decoded at once. */
  inFlight?: number;
  /** Fail a dataset when more than this fraction of its images is bad (default 0.05). */
  maxBadFraction?: number;
  log?: (line: string) => void;
}

export interface DatasetStatus {
  name: string;
  status: "built" | "up-to-date" | "unavailable";
  dir: string;
  samples?: number;
  contentHash?: string;
  seconds?: number;
  reason?: string;
}

export interface DataBuildReport {
  datasets: DatasetStatus[];
  seconds: number;
}

/** How long a second builder waits for the first before giving up. */
const LOCK_WAIT_MS = 20 * 60_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes `<root>/.build.lock` (waiting while a live process holds it); returns the release function. */
async function acquireLock(root: string, log: (s: string) => void): Promise<() => void> {
  const file = path.join(root, ".build.lock");
  const t0 = Date.now();
  let told = false;
  for (;;) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = Number(fs.readFileSync(file, "utf8").trim() || "0");
    if (!holder || holder === process.pid || !isAlive(holder)) {
      fs.rmSync(file, { force: true }); // left by a killed build
      continue;
    }
    if (!told) log(`data: waiting for the build running in process ${holder} (${file})`);
    told = true;
    if (Date.now() - t0 > LOCK_WAIT_MS)
      throw new Error(
        `data: ${file} held by process ${holder} for over ${LOCK_WAIT_MS / 60_000} min; remove it if that build is gone`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Pending {
  def: DatasetDef;
  dir: string;
  fingerprint: string;
}

/** Sorts datasets into up to date / unavailable / to build, without listing anything. */
function survey(
  root: string,
  defs: DatasetDef[],
  force: boolean,
): { done: DatasetStatus[]; todo: Pending[] } {
  const done: DatasetStatus[] = [];
  const todo: Pending[] = [];
  for (const def of defs) {
    const dir = path.join(root, def.name);
    const why = def.unavailable();
    if (why) {
      done.push({ name: def.name, status: "unavailable", dir, reason: why });
      continue;
    }
    const fingerprint = buildFingerprint(def.name, def.params, def.inputs());
    if (!force && isUpToDate(dir, fingerprint)) {
      const m = readManifest(dir)!;
      done.push({
        name: def.name,
        status: "up-to-date",
        dir,
        samples: m.samples,
        contentHash: m.contentHash,
      });
    } else todo.push({ def, dir, fingerprint });
  }
  return { done, todo };
}

/**
 * Builds the missing or stale datasets under `root` and returns what it did. Fast when all is built.
 * @example await ensureData("data", { quiet: true }) // then ensureCache("data/pictograms", 32)
 */
export async function ensureData(root = "data", opts: EnsureDataOptions = {}): Promise<DataBuildReport> {
  const t0 = performance.now();
  const log = opts.quiet ? () => {} : (opts.log ?? ((s: string) => console.error(s)));
  const params = { ...DEFAULT_PICTOGRAM_PARAMS, ...opts.params };
  let defs = datasetDefs(params);
  if (opts.only?.length) {
    const unknown = opts.only.filter((n) => !defs.some((d) => d.name === n));
    if (unknown.length)
      throw new Error(`unknown dataset ${unknown.join(", ")}; valid: ${defs.map((d) => d.name).join(", ")}`);
    defs = defs.filter((d) => opts.only!.includes(d.name));
  } else defs = defs.filter((d) => !d.onDemand);
  let { done, todo } = survey(root, defs, !!opts.force);
  if (todo.length) {
    fs.mkdirSync(root, { recursive: true });
    const release = await acquireLock(root, log);
    try {
      // Another process may have built some while we waited for the lock.
      if (!opts.force) ({ done, todo } = survey(root, defs, false));
      removeStaleTemps(root);
      for (const { def, dir, fingerprint } of todo) {
        const t = performance.now();
        log(`data: building ${dir} …`);
        const plan = def.plan();
        const m = await writeDataset(
          dir,
          { name: def.name, role: def.role, description: def.description, params: def.params, fingerprint },
          plan,
          {
            inFlight: opts.inFlight,
            maxBadFraction: opts.maxBadFraction,
            log,
            progress: { quiet: opts.quiet, ...(opts.log ? { log: opts.log } : {}) },
          },
        );
        const seconds = (performance.now() - t) / 1000;
        log(
          `data: ${dir}: ${m.samples} samples${m.classes ? `, ${m.classes} classes` : ""}, ${m.shards.length} shards, ` +
            `${m.bad.total} bad, ${seconds.toFixed(1)} s, ${m.contentHash.slice(0, 19)}…`,
        );
        done.push({
          name: def.name,
          status: "built",
          dir,
          samples: m.samples,
          contentHash: m.contentHash,
          seconds,
        });
      }
    } finally {
      release();
    }
  }
  const order = new Map(defs.map((d, i) => [d.name, i]));
  done.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  for (const d of done) {
    if (d.status === "up-to-date")
      log(`data: ${d.dir}: up to date (${d.samples} samples, ${d.contentHash?.slice(0, 19)}…), skipped`);
    if (d.status === "unavailable") log(`data: ${d.dir}: not built: ${d.reason}`);
  }
  return { datasets: done, seconds: (performance.now() - t0) / 1000 };
}

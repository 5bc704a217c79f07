/**
 * One lock per run directory, so two runners (two `clipdown sweep` processes, or Slurm array tasks
 * on a shared filesystem) never execute the same spec at once.
 *
 * The lock is a file created with O_CREAT|O_EXCL holding `{pid, host, startedAt}`. It is stale when
 * its holder is gone: on the same host, when that pid no longer exists; from another host (where
 * pids mean nothing), when its heartbeat (the file's mtime, touched every HEARTBEAT_MS) is older
 * than `foreignStaleMs`. Breaking a stale lock is serialised by a second O_EXCL file, so two
 * runners that find the same stale lock cannot both take it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const LOCK_FILE = "lock";
const BREAK_FILE = "lock.break";
export const HEARTBEAT_MS = 30_000;
/** A lock from another host whose heartbeat is older than this is considered abandoned. */
export const FOREIGN_STALE_MS = 15 * 60_000;

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /** The holder's start time from /proc (Linux), so a recycled pid is not mistaken for the holder. */
  pidStart?: string;
}

export interface HeldLock {
  file: string;
  info: LockInfo;
  release(): void;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces; fields after it follow the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19];
  } catch {
    // No /proc entry: the process is gone (or not Linux), so there is no start time to compare.
    return undefined;
  }
}

function myInfo(): LockInfo {
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  const start = processStartTime(process.pid);
  if (start) info.pidStart = start;
  return info;
}

/** The current holder of `dir`'s lock, or undefined when there is none (or it is unreadable). */
export function readLock(dir: string): (LockInfo & { mtimeMs: number }) | undefined {
  const file = path.join(dir, LOCK_FILE);
  try {
    const st = fs.statSync(file);
    const info = JSON.parse(fs.readFileSync(file, "utf8")) as LockInfo;
    return { ...info, mtimeMs: st.mtimeMs };
  } catch {
    // Missing or half-written lock file: treated as no lock; the caller retries or takes it.
    return undefined;
  }
}

/** Why a lock is stale, or undefined when its holder may still be alive. */
export function staleReason(
  info: LockInfo & { mtimeMs: number },
  foreignStaleMs = FOREIGN_STALE_MS,
  now = Date.now(),
): string | undefined {
  if (info.host === os.hostname()) {
    if (info.pid === process.pid) return undefined;
    if (!pidAlive(info.pid)) return `holder pid ${info.pid} on ${info.host} is not running`;
    const start = info.pidStart ? processStartTime(info.pid) : undefined;
    return start && start !== info.pidStart
      ? `holder pid ${info.pid} on ${info.host} exited (the pid now belongs to another process)`
      : undefined;
  }
  const age = now - info.mtimeMs;
  return age > foreignStaleMs
    ? `holder ${info.host}:${info.pid} has not refreshed the lock for ${Math.round(age / 1000)} s`
    : undefined;
}

function tryCreate(file: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    fs.writeSync(fd, JSON.stringify(info));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * Removes `dir`'s lock if it is (still) the stale one described by `seen`. Only one breaker at a
 * time holds the break file; it re-reads the lock under it so a fresh lock taken meanwhile survives.
 */
function breakStale(dir: string, seen: LockInfo, foreignStaleMs: number): boolean {
  const breakFile = path.join(dir, BREAK_FILE);
  if (!tryCreate(breakFile, myInfo())) {
    // A breaker that died mid-break leaves its file behind; the same staleness rule applies to it.
    const other = readLockFile(breakFile);
    if (other && staleReason(other, Math.min(foreignStaleMs, 60_000))) fs.rmSync(breakFile, { force: true });
    return false;
  }
  try {
    const now = readLock(dir);
    if (
      now &&
      now.pid === seen.pid &&
      now.host === seen.host &&
      now.startedAt === seen.startedAt &&
      staleReason(now, foreignStaleMs)
    ) {
      fs.rmSync(path.join(dir, LOCK_FILE), { force: true });
      return true;
    }
    return false;
  } finally {
    fs.rmSync(breakFile, { force: true });
  }
}

function readLockFile(file: string): (LockInfo & { mtimeMs: number }) | undefined {
  try {
    const st = fs.statSync(file);
    return { ...(JSON.parse(fs.readFileSync(file, "utf8")) as LockInfo), mtimeMs: st.mtimeMs };
  } catch {
    // Missing or half-written lock file: treated as no lock; the caller retries or takes it.
    return undefined;
  }
}

/**
 * Takes `dir`'s lock, breaking a stale one. Returns undefined when a live holder has it.
 * `onStale` hears about a lock that was broken (the run it guarded was interrupted).
 */
export function tryLock(
  dir: string,
  opts: { foreignStaleMs?: number; onStale?: (reason: string) => void } = {},
): HeldLock | undefined {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const foreignStaleMs = opts.foreignStaleMs ?? FOREIGN_STALE_MS;
  for (let attempt = 0; attempt < 3; attempt++) {
    const info = myInfo();
    if (tryCreate(file, info)) {
      let released = false;
      return {
        file,
        info,
        release() {
          if (released) return;
          released = true;
          // Only remove the lock if it is still ours (it may have been broken as stale meanwhile).
          const now = readLock(dir);
          if (now && now.pid === info.pid && now.host === info.host && now.startedAt === info.startedAt)
            fs.rmSync(file, { force: true });
        },
      };
    }
    const holder = readLock(dir);
    if (!holder) continue; // released (or half-written) between our create and read: try again
    const why = staleReason(holder, foreignStaleMs);
    if (!why) return undefined;
    if (breakStale(dir, holder, foreignStaleMs)) opts.onStale?.(why);
  }
  return undefined;
}

/** Touches held locks' mtime every HEARTBEAT_MS so other hosts can tell they are alive. */
export class Heartbeat {
  private readonly held = new Set<HeldLock>();
  private timer?: NodeJS.Timeout;

  add(lock: HeldLock): void {
    this.held.add(lock);
    if (!this.timer) {
      this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
      this.timer.unref();
    }
  }

  delete(lock: HeldLock): void {
    this.held.delete(lock);
    if (!this.held.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private beat(): void {
    const now = new Date();
    for (const l of this.held) {
      try {
        fs.utimesSync(l.file, now, now);
      } catch {
        // The lock vanished (broken as stale by someone else): nothing to refresh.
      }
    }
  }
}

/**
 * The worker process behind `clipdown sweep --jobs N` (started by pool.ts as `clipdown sweep
 * __worker`): it receives one run at a time over IPC, executes it with the run's kind, and replies
 * with its output or its error. It exits as soon as the runner disappears.
 */
import { appendLine } from "./atomic";
import { kindOf, type RunContext, type RunKind, type RunKinds } from "./kinds";
import type { WorkerJob, WorkerReply } from "./pool";

function errorText(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  return (err.stack ?? err.message).split("\n").slice(0, 12).join("\n");
}

/** Runs `job` with `kind` in this process (also used by the runner when it executes runs itself). */
export async function executeJob(kind: RunKind, job: Omit<WorkerJob, "id">) {
  const ctx: RunContext = {
    dir: job.dir,
    depDir: (hash) => {
      const d = job.deps[hash];
      if (!d) throw new Error(`run ${job.dir} asked for dependency ${hash}, which it does not declare`);
      return d;
    },
    log: (line) => appendLine(job.logFile, line),
  };
  return kind.execute(job.spec, ctx);
}

/** The worker's loop; `kinds` is the catalog's (the same built-ins and plugins as the runner's). */
export function workerMain(kinds: RunKinds): Promise<number> {
  if (!process.send) throw new Error("clipdown sweep __worker is started by the sweep runner, not by hand");
  const send = (m: WorkerReply) => process.send!(m);
  // The runner is gone (killed, or finished): nothing will collect our result, so stop at once.
  process.on("disconnect", () => process.exit(1));
  process.on("message", (m: { type: string; job: WorkerJob }) => {
    if (m.type !== "run") return;
    Promise.resolve()
      .then(() => executeJob(kindOf(kinds, m.job.spec.kind), m.job))
      .then(
        (output) => send({ type: "done", id: m.job.id, output }),
        (e) => send({ type: "error", id: m.job.id, error: errorText(e) }),
      );
  });
  send({ type: "ready" });
  return new Promise<number>(() => {});
}

export { errorText };

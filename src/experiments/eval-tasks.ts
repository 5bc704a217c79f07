/**
 * Evaluation tasks a train spec can ask for (`eval: [...]`), run on the final checkpoint after
 * training. `heldout` is the trainer's own end-of-run evaluation (zero-shot on Emoji-441 and
 * retrieval on the Noto captions); the others call the evaluation suite in `src/eval`.
 */
import type { RunContext } from "./kinds";
import type { RunSpec } from "./spec";

export interface EvalTask {
  description: string;
  /** Metrics from the finished run in ctx.dir; absent for tasks the trainer already computes. */
  run?(spec: RunSpec, ctx: RunContext): Promise<Record<string, number>>;
}

export const EVAL_TASKS: Record<string, EvalTask> = {
  heldout: {
    description:
      "zero-shot top-1/top-5 on Emoji-441 and R@1/5/10 on Noto captions (the trainer's final eval)",
  },
};

/** Runs the spec's tasks that need more than the trainer's evaluation; metric names must not clash. */
export async function runEvalTasks(spec: RunSpec, ctx: RunContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of spec.eval as string[]) {
    const task = EVAL_TASKS[name];
    if (!task?.run) continue;
    const m = await task.run(spec, ctx);
    for (const [k, v] of Object.entries(m)) {
      if (k in out)
        throw new Error(`eval task ${name} reports metric ${k}, already reported by another task`);
      out[k] = v;
    }
  }
  return out;
}

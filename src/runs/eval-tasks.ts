/**
 * Evaluation tasks a train spec asks for (`eval: [...]`), run on the final checkpoint after training.
 *
 * - `heldout`: the trainer's own end-of-run evaluation (zero-shot `heldout-emoji-441/acc1/zs_top5` on Emoji-441,
 *   retrieval `heldout-noto/text_retrieval_recall@1 … heldout-noto/image_retrieval_recall@10` on the Noto captions), capped at `evalSize` images.
 * - `zeroshot`, `linear-probe`, `few-shot`, `retrieval`, `transfer`: the evaluation suite
 *   (`src/eval/suite.ts`), optionally restricted to datasets: `"linear-probe:noto-subgroups"`,
 *   `"zeroshot:emoji-441,noto-subgroups"`. Zero-shot on emoji-441 adds the distribution-shift
 *   variants and their mean. Datasets are looked up under the spec's `evalData` root.
 *
 * Suite results are written as CLIP_benchmark-shaped JSON to `<run>/eval/{task}_{dataset}.json`
 * and flattened into the run's metrics as `<dataset>/<metric>` (e.g. `noto-subgroups/lp_acc1`,
 * `emoji-441-shift-mean/acc1`, `noto/text_retrieval_recall@1`, `fashion-mnist/gain_acc1@1pct`).
 */
import * as path from "node:path";
import type { RunContext } from "../sweep/kinds";
import type { RunSpec } from "../sweep/spec";

const SUITE_TASKS = ["zeroshot", "linear-probe", "few-shot", "retrieval", "transfer"] as const;
type SuiteTask = (typeof SUITE_TASKS)[number];

export const EVAL_TASK_NAMES = ["heldout", ...SUITE_TASKS] as const;

export interface ParsedEvalTask {
  task: (typeof EVAL_TASK_NAMES)[number];
  datasets?: string[];
}

/** Parses "task" or "task:ds1,ds2"; throws naming the valid tasks. */
export function parseEvalTask(entry: unknown): ParsedEvalTask {
  if (typeof entry !== "string" || !entry)
    throw new Error(
      `an eval task must be a string like "linear-probe:noto-subgroups", got ${JSON.stringify(entry)}`,
    );
  const [task, ds] = entry.split(":", 2) as [string, string | undefined];
  if (!(EVAL_TASK_NAMES as readonly string[]).includes(task))
    throw new Error(`unknown eval task "${task}" in "${entry}"; valid tasks: ${EVAL_TASK_NAMES.join(", ")}`);
  if (ds === undefined) return { task: task as ParsedEvalTask["task"] };
  if (task === "heldout") throw new Error(`"heldout" takes no datasets (got "${entry}")`);
  const datasets = ds.split(",").map((s) => s.trim());
  if (datasets.some((d) => !/^[A-Za-z0-9._/-]+$/.test(d)))
    throw new Error(`eval task "${entry}": dataset names are comma-separated names or paths`);
  return { task: task as ParsedEvalTask["task"], datasets };
}

/** Runs the spec's suite tasks on the finished run in ctx.dir; returns flattened metrics. */
export async function runEvalTasks(spec: RunSpec, ctx: RunContext): Promise<Record<string, number>> {
  const wanted = (spec.eval as string[]).map(parseEvalTask).filter((t) => t.task !== "heldout");
  if (!wanted.length) return {};
  const { loadRunForEval } = await import("../eval/load-run");
  const { evaluateSuite } = await import("../eval/suite");
  const { writeRecords } = await import("../eval/records");
  const loaded = loadRunForEval(ctx.dir);
  const out: Record<string, number> = {};
  try {
    for (const { task, datasets } of wanted) {
      const t0 = Date.now();
      const records = await evaluateSuite(loaded.model, loaded.tokenizer, {
        dataRoot: spec.evalData as string,
        imageSize: loaded.config.imageSize,
        contextLength: loaded.config.contextLength,
        tasks: [task as SuiteTask],
        ...(datasets ? { datasets } : {}),
        meta: { ...loaded.meta, runId: path.basename(ctx.dir) },
        ...(loaded.synsetHead ? { synsetHead: loaded.synsetHead } : {}),
        seed: spec.seed as number,
        log: ctx.log,
      });
      writeRecords(records, path.join(ctx.dir, "eval", "{task}_{dataset}.json"));
      for (const r of records) {
        for (const [k, v] of Object.entries(r.metrics)) {
          if (typeof v !== "number" || !Number.isFinite(v) || k === "seconds") continue;
          const name = `${r.dataset}/${k}`;
          if (name in out) throw new Error(`eval metric ${name} reported twice (two tasks on ${r.dataset}?)`);
          out[name] = v;
        }
      }
      ctx.log(
        `eval ${task}${datasets ? `:${datasets.join(",")}` : ""}: ${records.length} records in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    loaded.dispose();
  }
  return out;
}

/**
 * Run logs: one JSON object per line in `metrics.jsonl` (append-only, so a resumed run continues the
 * same file), read back with `readMetrics`. The progress display is src/util/progress.ts, shared
 * with the other long commands.
 */
import * as fs from "node:fs";
import { migrateMetricNames } from "../util/metric-names";

export type MetricsRecord = { step: number; samples: number } & Record<string, unknown>;

export class MetricsWriter {
  constructor(readonly path: string) {}

  append(rec: MetricsRecord): void {
    fs.appendFileSync(this.path, `${JSON.stringify(rec)}\n`);
  }
}

/** Parses a metrics.jsonl file; blank lines are ignored, a malformed line is an error naming its number. */
export function readMetrics(path: string): MetricsRecord[] {
  const out: MetricsRecord[] = [];
  const lines = fs.readFileSync(path, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      // Logs written before the `<dataset>/<metric>` names hold the older flat keys.
      out.push(migrateMetricNames(JSON.parse(line)) as MetricsRecord);
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line: ${line.slice(0, 80)}`);
    }
  });
  return out;
}

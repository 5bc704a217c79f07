/**
 * Run logs: one JSON object per line in `metrics.jsonl` (append-only, so a resumed run continues the
 * same file), read back with `readMetrics`; plus a progress display (a bar on a TTY, a plain line
 * every `every` steps otherwise).
 */
import * as fs from "node:fs";

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
      out.push(JSON.parse(line) as MetricsRecord);
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line: ${line.slice(0, 80)}`);
    }
  });
  return out;
}

/** Renders a one-line status; on a TTY it redraws in place, otherwise it prints a new line. */
export class Progress {
  private readonly tty: boolean;
  constructor(
    private readonly totalSteps: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(step: number, fields: Record<string, number | undefined>): void {
    if (this.quiet) return;
    const parts = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${formatNum(v!)}`);
    const frac = Math.min(1, step / Math.max(1, this.totalSteps));
    if (this.tty) {
      const width = 24;
      const full = Math.round(frac * width);
      const bar = `${"█".repeat(full)}${"·".repeat(width - full)}`;
      this.stream.write(`\r${bar} ${step}/${this.totalSteps} ${parts.join(" ")}\x1b[K`);
    } else {
      this.stream.write(`step ${step}/${this.totalSteps} ${parts.join(" ")}\n`);
    }
  }

  done(): void {
    if (this.tty && !this.quiet) this.stream.write("\n");
  }
}

function formatNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 0 : 4);
}

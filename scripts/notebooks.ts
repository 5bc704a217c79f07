/**
 * `npm run notebooks`: executes every notebook headless in the `quick` profile and exports it to
 * `reports/notebooks/<name>.html`, so a reader can see every figure without running anything.
 *
 * Each notebook reads the published results (`results/<section>.jsonl`) and the finished runs under
 * `runs/sweeps/`, and trains only what neither has (it prints how many runs it had to train). The
 * exports share one copy of plotly.js (`reports/notebooks/plotly.min.js`) and of nbconvert's theme
 * (`notebook.css`) instead of inlining the
 * 4.8 MB library and the 0.5 MB stylesheet seven times; each notebook's wall time and the load average go to
 * `reports/notebooks/timings.json`.
 *
 * usage: npm run notebooks [-- --only 01-data-quantity,02-data-quality] [--profile quick] [--timeout 3600]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plotlyScriptTag } from "../src/viz/bundle";
import { plotlyLibrary } from "../src/viz/plotly-lib";
import { executeNotebook, exportHtml, jupyterEnv, jupyterMissing, ROOT } from "./jupyter";

export const OUT_DIR = path.join(ROOT, "reports", "notebooks");
export const PLOTLY_FILE = "plotly.min.js";
export const STYLE_FILE = "notebook.css";
/** Style blocks at least this long (nbconvert's ~0.5 MB JupyterLab theme) go to the shared file. */
const SHARED_STYLE_MIN = 100_000;

/** The notebooks of notebooks/ (not executed copies), sorted. */
export function notebookNames(dir = path.join(ROOT, "notebooks")): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.endsWith(".executed.ipynb"))
    .map((f) => f.slice(0, -".ipynb".length))
    .sort();
}

/**
 * The export with its largest inline stylesheet (nbconvert's JupyterLab theme, the same in every
 * export) replaced by a link to `notebook.css` beside it; `css` is that stylesheet, undefined (and
 * the HTML unchanged) when no block is long enough.
 */
export function shareStyle(html: string): { html: string; css?: string } {
  const blocks = [...html.matchAll(/<style type="text\/css">([\s\S]*?)<\/style>/g)];
  const big = blocks.reduce<RegExpMatchArray | undefined>(
    (best, m) => (m[1]!.length >= SHARED_STYLE_MIN && m[1]!.length > (best?.[1]?.length ?? 0) ? m : best),
    undefined,
  );
  if (!big) return { html };
  const at = big.index!;
  const tag = `<link rel="stylesheet" href="${STYLE_FILE}">`;
  return { html: html.slice(0, at) + tag + html.slice(at + big[0].length), css: big[1]! };
}

/**
 * The export with plotly.js loaded from `plotly.min.js` beside it instead of inlined. Returns the
 * HTML unchanged (and `replaced: false`) when the inlined library is not found.
 */
export function sharePlotly(html: string, inline = plotlyScriptTag()): { html: string; replaced: boolean } {
  const at = html.indexOf(inline);
  if (at < 0) return { html, replaced: false };
  const tag = `<script type="text/javascript" src="${PLOTLY_FILE}"></script>`;
  return { html: html.slice(0, at) + tag + html.slice(at + inline.length), replaced: true };
}

function parseArgs(argv: string[]): { only?: string[]; profile: string; timeout: number } {
  const out: { only?: string[]; profile: string; timeout: number } = { profile: "quick", timeout: 3600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--only") out.only = value().split(",");
    else if (a === "--profile") out.profile = value();
    else if (a === "--timeout") out.timeout = Number(value());
    else
      throw new Error(
        `unknown option ${a}; usage: npm run notebooks [-- --only NAME,… --profile quick --timeout S]`,
      );
  }
  if (!Number.isFinite(out.timeout) || out.timeout <= 0)
    throw new Error("--timeout must be a positive number of seconds");
  return out;
}

function main(argv: string[]): number {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`notebooks: ${(e as Error).message}`);
    return 2;
  }
  const missing = jupyterMissing();
  if (missing) {
    console.error(`notebooks: ${missing}`);
    return 2;
  }
  const names = notebookNames();
  const unknown = (args.only ?? []).filter((n) => !names.includes(n));
  if (unknown.length) {
    console.error(`notebooks: no notebook ${unknown.join(", ")} in notebooks/ (have ${names.join(", ")})`);
    return 2;
  }
  const todo = args.only ?? names;
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, PLOTLY_FILE), plotlyLibrary().source);
  const timingsFile = path.join(OUT_DIR, "timings.json");
  const timings = fs.existsSync(timingsFile)
    ? (JSON.parse(fs.readFileSync(timingsFile, "utf8")) as Record<string, unknown>)
    : {};
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-notebooks-"));
  const env = jupyterEnv({ CLIPDOWN_PROFILE: args.profile });
  let failed = 0;
  try {
    for (const name of todo) {
      const load0 = os.loadavg()[0]!;
      const executed = path.join(work, `${name}.ipynb`);
      process.stdout.write(`${name}: executing (${args.profile}) … `);
      const res = executeNotebook(path.join(ROOT, "notebooks", `${name}.ipynb`), executed, env, args.timeout);
      if (!res.ok) {
        failed++;
        console.log(`failed after ${res.wall_s?.toFixed(0) ?? "?"} s: ${res.error}`);
        continue;
      }
      const shared = sharePlotly(fs.readFileSync(exportHtml(executed, env), "utf8"));
      const styled = shareStyle(shared.html);
      // Every export of one nbconvert carries the same theme: the last one written is the file's.
      if (styled.css !== undefined) fs.writeFileSync(path.join(OUT_DIR, STYLE_FILE), styled.css);
      const out = path.join(OUT_DIR, `${name}.html`);
      fs.writeFileSync(out, styled.html);
      const load1 = os.loadavg()[0]!;
      timings[name] = {
        profile: args.profile,
        wall_s: res.wall_s,
        kernel_start_s: res.kernel_start_s,
        load_avg_1m: [Number(load0.toFixed(2)), Number(load1.toFixed(2))],
        at: new Date().toISOString(),
      };
      const kb = (fs.statSync(out).size / 1024).toFixed(0);
      console.log(
        `${res.wall_s.toFixed(0)} s, load ${load0.toFixed(1)}→${load1.toFixed(1)}; ${path.relative(ROOT, out)} (${kb} KiB${shared.replaced ? "" : ", plotly.js inlined"})`,
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.writeFileSync(timingsFile, `${JSON.stringify(timings, null, 2)}\n`);
  }
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

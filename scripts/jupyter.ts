/**
 * Running a notebook headless and exporting it, shared by the notebook tests and `npm run
 * notebooks`: whether Jupyter is installed, executing through scripts/run-notebook.py (nbclient,
 * the notebook's own kernelspec found through JUPYTER_PATH), and `nbconvert --to html`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..");
export const PYTHON = "/usr/bin/python3";

/** The environment Jupyter needs to find kernels/clipdown (never the user's global config). */
export function jupyterEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, JUPYTER_PATH: ROOT, PYDEVD_DISABLE_FILE_VALIDATION: "1", ...extra };
}

/** Undefined when nbclient + nbconvert import under /usr/bin/python3, else why the tests skip. */
export function jupyterMissing(): string | undefined {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", "import nbclient, nbconvert, ipykernel"], { encoding: "utf8" });
  if (r.status !== 0) {
    return "Jupyter is not installed (apt install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel; .ci/run does)";
  }
  return undefined;
}

export interface CellTiming {
  index: number;
  wall_s: number;
}

export interface ExecResult {
  ok: boolean;
  error: string | null;
  wall_s: number;
  kernel_start_s?: number;
  cells: CellTiming[];
}

/** Executes `src` into `dst` with the notebook's kernel; returns run-notebook.py's report. */
export function executeNotebook(
  src: string,
  dst: string,
  env: NodeJS.ProcessEnv,
  timeoutS = 600,
): ExecResult {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  const r = spawnSync(
    PYTHON,
    [path.join(ROOT, "scripts", "run-notebook.py"), src, dst, "--timeout", String(timeoutS)],
    {
      encoding: "utf8",
      env,
      cwd: ROOT,
      timeout: (timeoutS + 60) * 1000,
    },
  );
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as ExecResult;
  } catch {
    throw new Error(`run-notebook.py gave no result (status ${r.status}): ${r.stdout}\n${r.stderr}`);
  }
}

/** `nbconvert --to html` of an executed notebook; returns the HTML file. */
export function exportHtml(executed: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(
    PYTHON,
    ["-m", "nbconvert", "--to", "html", executed, "--output-dir", path.dirname(executed)],
    { encoding: "utf8", env, timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`nbconvert failed (${r.status}): ${r.stderr}`);
  return executed.replace(/\.ipynb$/, ".html");
}

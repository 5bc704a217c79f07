/**
 * Shared helpers of the notebook tests: whether Chromium is installed, reading executed notebooks,
 * and loading an export in headless Chromium (playwright-core driving the system browser). Running
 * a notebook headless and exporting it live in scripts/jupyter.ts (shared with `npm run notebooks`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { jupyterEnv, PYTHON, ROOT } from "../../scripts/jupyter";
import { PLOTLY_MIME } from "../../src/viz/bundle";

export {
  type ExecResult,
  executeNotebook,
  exportHtml,
  jupyterEnv,
  jupyterMissing,
  PYTHON,
  ROOT,
} from "../../scripts/jupyter";
export const ARTIFACTS = path.join(ROOT, "test-artifacts", "notebooks");

/** The Chromium binary to drive: $CHROMIUM_PATH, Debian's, or one on PATH. */
export function chromiumPath(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ];
  return candidates.find((p): p is string => Boolean(p) && fs.existsSync(p!));
}

export interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

export interface NbCell {
  cell_type: string;
  source: string | string[];
  metadata: { clipdown?: { figures?: number } };
  outputs?: NbOutput[];
}

export interface Notebook {
  cells: NbCell[];
  metadata: Record<string, unknown>;
}

export function readNotebook(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
}

export function joined(s: string | string[] | undefined): string {
  return Array.isArray(s) ? s.join("") : (s ?? "");
}

/** Outputs that hold a Plotly figure bundle. */
export function figureOutputs(cell: NbCell): NbOutput[] {
  return (cell.outputs ?? []).filter((o) => o.data && PLOTLY_MIME in o.data);
}

export interface PageFigures {
  /** Per `.clipdown-plotly` div: its id and how many Plotly `.main-svg` layers it drew. */
  figures: Array<{ id: string; svgs: number; text: string }>;
  errors: string[];
}

/** Opens an HTML file in headless Chromium, reports each figure's SVG count, saves a screenshot. */
export async function renderInChromium(
  html: string,
  screenshot: string,
  executablePath: string,
): Promise<PageFigures> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    // Only the file itself may load: anything from the network would fail offline.
    await page.route(/^https?:/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(`file://${html}`, { waitUntil: "load", timeout: 120_000 });
    // Page code as strings: the project compiles without the DOM library.
    await page.waitForFunction(
      `[...document.querySelectorAll(".clipdown-plotly")].every((el) => el.querySelector(".main-svg") || el.textContent)`,
      undefined,
      { timeout: 60_000 },
    );
    const figures = (await page.evaluate(
      `[...document.querySelectorAll(".clipdown-plotly")].map((el) => ({ id: el.id, svgs: el.querySelectorAll(".main-svg").length, text: (el.textContent || "").slice(0, 200) }))`,
    )) as PageFigures["figures"];
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { figures, errors };
  } finally {
    await browser.close();
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Opens an executed notebook in a live classic Notebook server (trusted with nbformat.sign, as a
 * user running it would see it) and reports each figure's SVG count. Jupyter's data and runtime
 * folders are temporary, so neither the signing key nor the server files touch the user's config.
 */
export async function renderInClassicNotebook(
  executed: string,
  screenshot: string,
  executablePath: string,
): Promise<PageFigures> {
  const { spawn } = await import("node:child_process");
  const os = await import("node:os");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-jupyter-"));
  const env = jupyterEnv({
    JUPYTER_DATA_DIR: path.join(scratch, "data"),
    JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"),
  });
  const sign = spawnSync(PYTHON, ["-m", "nbformat.sign", executed], { encoding: "utf8", env });
  if (sign.status !== 0) throw new Error(`nbformat.sign failed: ${sign.stderr}`);
  const port = await freePort();
  const token = Math.random().toString(36).slice(2);
  const server = spawn(
    PYTHON,
    [
      "-m",
      "notebook",
      "--no-browser",
      "--allow-root",
      "--ip=127.0.0.1",
      `--port=${port}`,
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${ROOT}`,
    ],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  server.stderr!.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    for (let i = 0; !log.includes(`127.0.0.1:${port}`); i++) {
      if (i > 240 || server.exitCode !== null) throw new Error(`notebook server did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const rel = path.relative(ROOT, executed).split(path.sep).map(encodeURIComponent).join("/");
    await page.goto(`http://127.0.0.1:${port}/notebooks/${rel}?token=${token}`, {
      waitUntil: "load",
      timeout: 120_000,
    });
    await page.waitForFunction(
      `document.querySelectorAll(".clipdown-plotly").length > 0 && [...document.querySelectorAll(".clipdown-plotly")].every((el) => el.querySelector(".main-svg") || el.textContent)`,
      undefined,
      { timeout: 90_000 },
    );
    const figures = (await page.evaluate(
      `[...document.querySelectorAll(".clipdown-plotly")].map((el) => ({ id: el.id, svgs: el.querySelectorAll(".main-svg").length, text: (el.textContent || "").slice(0, 200) }))`,
    )) as PageFigures["figures"];
    await page.screenshot({ path: screenshot });
    return { figures, errors };
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once("exit", r)));
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

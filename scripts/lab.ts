/**
 * `npm run lab [-- <jupyter args>]`: opens the notebooks with this project's `clipdown` kernel.
 *
 * The kernelspec lives in the repository (`kernels/clipdown/kernel.json`, relocatable through
 * `{resource_dir}`) and is registered only for the Jupyter started here, by putting the project
 * root first on `JUPYTER_PATH`; the user's own Jupyter configuration is never written. Starts
 * JupyterLab if installed, else classic Notebook, else prints how to install one.
 *
 *   npm run lab                      JupyterLab (or Notebook) on the project, notebooks/ inside
 *   npm run lab -- --check           show which Jupyter and kernelspec would be used, start nothing
 *   npm run lab -- --no-browser ...  any other arguments go to Jupyter
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** scripts/patch-tslab.cjs's export (plain JavaScript, so postinstall needs no TypeScript). */
export type PatchTslab = (root: string, o: { apply: boolean }) => { status: string; messages: string[] };

/** JUPYTER_PATH with the project root first (where `kernels/clipdown` is found). */
export function jupyterPathWithProject(existing: string | undefined, root = ROOT): string {
  const parts = (existing ?? "").split(path.delimiter).filter((p) => p && path.resolve(p) !== root);
  return [root, ...parts].join(path.delimiter);
}

/** The environment for any Jupyter process that should see the clipdown kernel. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env, root = ROOT): NodeJS.ProcessEnv {
  return {
    ...base,
    JUPYTER_PATH: jupyterPathWithProject(base.JUPYTER_PATH, root),
    // Silences the debugger's "frozen modules" warning Debian's Python prints on every start.
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
}

export interface JupyterApp {
  /** "lab" or "notebook". */
  app: "lab" | "notebook";
  command: string;
  args: string[];
  version: string;
}

function tryVersion(command: string, args: string[]): string | undefined {
  const r = spawnSync(command, [...args, "--version"], {
    encoding: "utf8",
    env: jupyterEnv(),
    timeout: 60_000,
  });
  if (r.status !== 0) return undefined;
  return (r.stdout || r.stderr).trim().split("\n").pop();
}

/**
 * The first front end that answers `--version`: `jupyter lab`, `jupyter notebook`, then the same
 * through Debian's `/usr/bin/python3 -m` (a pyenv `python3` on PATH often lacks Jupyter).
 */
export function findJupyter(): JupyterApp | undefined {
  const candidates: Array<Omit<JupyterApp, "version">> = [
    { app: "lab", command: "jupyter-lab", args: [] },
    { app: "lab", command: "/usr/bin/python3", args: ["-m", "jupyterlab"] },
    { app: "notebook", command: "jupyter-notebook", args: [] },
    { app: "notebook", command: "/usr/bin/python3", args: ["-m", "notebook"] },
  ];
  for (const c of candidates) {
    if (c.command.startsWith("/") && !fs.existsSync(c.command)) continue;
    const version = tryVersion(c.command, c.args);
    if (version) return { ...c, version };
  }
  return undefined;
}

/** What Jupyter reports for the clipdown kernelspec under jupyterEnv(), or an explanation. */
export function kernelspecStatus(): { found: boolean; text: string } {
  const r = spawnSync("jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8", env: jupyterEnv() });
  if (r.error || r.status !== 0) {
    return { found: false, text: `jupyter kernelspec list failed: ${r.error?.message ?? r.stderr.trim()}` };
  }
  const specs = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { resource_dir: string }> })
    .kernelspecs;
  const spec = specs.clipdown;
  return spec
    ? { found: true, text: `kernel "clipdown" → ${spec.resource_dir}` }
    : {
        found: false,
        text: `Jupyter does not list the clipdown kernel (JUPYTER_PATH=${jupyterEnv().JUPYTER_PATH})`,
      };
}

export const INSTALL_HELP = `No JupyterLab or Notebook was found. Install one, then run \`npm run lab\` again:
  pip install jupyterlab            (or: pipx install jupyterlab, conda install -c conda-forge jupyterlab)
  sudo apt install jupyter-notebook (Debian/Ubuntu: classic Notebook; Debian has no JupyterLab package)
For interactive Plotly charts in JupyterLab also install its renderer: pip install "plotly>=5"
(without it JupyterLab shows the HTML fallback, which draws the same charts).
To use an existing Jupyter instead, start it with JUPYTER_PATH=${ROOT} so it finds kernels/clipdown.`;

function main(argv: string[]): number {
  // The kernel re-applies the tslab patch itself; checking here gives a clear message up front.
  const { patchTslab } = require("./patch-tslab.cjs") as { patchTslab: PatchTslab };
  for (const m of patchTslab(ROOT, { apply: true }).messages) console.log(`lab: ${m}`);
  const app = findJupyter();
  const spec = kernelspecStatus();
  if (argv.includes("--check")) {
    console.log(`lab: JUPYTER_PATH=${jupyterEnv().JUPYTER_PATH}`);
    console.log(`lab: ${spec.text}`);
    console.log(
      app
        ? `lab: would start ${app.command} ${app.args.join(" ")} (${app.app} ${app.version})`
        : INSTALL_HELP,
    );
    return spec.found && app ? 0 : 1;
  }
  if (!app) {
    console.error(INSTALL_HELP);
    return 1;
  }
  if (!spec.found) console.error(`lab: warning: ${spec.text}`);
  const args = [...app.args, `--notebook-dir=${ROOT}`, ...argv];
  // Jupyter refuses to run as root without this flag (containers usually are root).
  if (process.getuid?.() === 0 && !argv.includes("--allow-root")) args.push("--allow-root");
  console.log(
    `lab: starting ${app.app} ${app.version}; open notebooks/00-quickstart.ipynb (kernel: clipdown)`,
  );
  const child = spawn(app.command, args, { stdio: "inherit", env: jupyterEnv(), cwd: ROOT });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

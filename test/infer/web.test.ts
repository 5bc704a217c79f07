/**
 * `clipdown export web` in a real browser: the exported folder is served on 127.0.0.1, opened in
 * headless Chromium (playwright-core), an emoji is loaded through the page's file input, and the
 * page's ranking must equal `clipdown classify --json` on the same file within 1e-3.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import sharp from "sharp";
import { decodeImage } from "../../src/data/image";
import { TEMPLATE_SETS } from "../../src/eval/templates";
import { run as classify } from "../../src/infer/classify-cli";
import { flattenOnWhite } from "../../src/infer/pixels";
import { exportWeb } from "../../src/infer/web/export";
import { initBackend } from "../../src/tf";
import { chromiumPath } from "../notebooks/harness";
import { writeNanoRun } from "./fixtures";

const LABELS = ["cat", "dog", "red car", "tree", "pizza"];
const NOTO = path.join(
  path.dirname(require.resolve("emoji-datasource-google/package.json")),
  "img/google/64/1f431.png",
);
let tmp = "";
let runDir = "";
let site = "";

before(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-web-"));
  runDir = await writeNanoRun(tmp, { imageSize: 16, logitScale: 100 });
});

test("the page's flattening on white is libvips's, byte for byte (sharp's decode at the same size)", async () => {
  const S = 16;
  const rgba = Buffer.alloc(S * S * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 7919 + (i >> 3) * 104729) % 256;
  const png = await sharp(rgba, { raw: { width: S, height: S, channels: 4 } })
    .png()
    .toBuffer();
  assert.deepEqual(flattenOnWhite(rgba, S * S), await decodeImage(png, "png", S));
});

test("export web writes a self-contained folder", async () => {
  site = path.join(tmp, "site");
  const files = await exportWeb(runDir, { out: site, labels: LABELS, templates: [...TEMPLATE_SETS.emoji] });
  for (const f of [
    "index.html",
    "clipdown.js",
    "model.json",
    "weights.bin",
    "tokenizer.json",
    "tfjs/tf-core.min.js",
    "tfjs/tfjs-backend-wasm-simd.wasm",
  ])
    assert.ok(files.includes(f) && fs.existsSync(path.join(site, f)), `${f} written`);
  const html = fs.readFileSync(path.join(site, "index.html"), "utf8");
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "nothing loads from another origin");
});

function serve(dir: string): Promise<http.Server> {
  const types: Record<string, string> = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".json": "application/json",
    ".wasm": "application/wasm",
  };
  const server = http.createServer((req, res) => {
    const rel =
      decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "") || "index.html";
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function cliRanking(image: string): Promise<{ label: string; prob: number }[]> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    assert.equal(
      await classify(["--checkpoint", runDir, "--labels", LABELS.join(","), "--top-k", "5", "--json", image]),
      0,
    );
  } finally {
    console.log = orig;
  }
  return JSON.parse(lines.join("\n"))[0].labels;
}

const chromium = chromiumPath();
test("in headless Chromium the page ranks labels as clipdown classify does (within 1e-3)", {
  skip: chromium ? false : "Chromium is not installed (apt install chromium, or set CHROMIUM_PATH)",
}, async (t) => {
  assert.ok(site, "export ran");
  // The Noto cat at the model's size, with its transparency: the page gets the exact pixels.
  const atSize = path.join(tmp, "cat-16.png");
  await sharp(NOTO).resize(16, 16).png().toFile(atSize);
  const server = await serve(site);
  const { chromium: pw } = await import("playwright-core");
  const browser = await pw.launch({ executablePath: chromium!, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.route(/^https?:/, (route) => {
      const url = route.request().url();
      if (url.startsWith(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`))
        return route.continue();
      errors.push(`request outside the folder: ${url}`);
      return route.abort();
    });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`);
    await page.waitForFunction(`document.body.dataset.ready`, undefined, { timeout: 60_000 });
    assert.equal(
      await page.evaluate(`document.body.dataset.ready`),
      "1",
      await page.evaluate(`document.getElementById("status").textContent`),
    );
    t.diagnostic(String(await page.evaluate(`document.getElementById("status").textContent`)));
    const pageRanking = async (file: string, n: number) => {
      await page.setInputFiles("#file", file);
      await page.waitForFunction(`document.getElementById("results").dataset.done === "${n}"`, undefined, {
        timeout: 60_000,
      });
      return (await page.evaluate(
        `[...document.querySelectorAll("#results li")].map((li) => ({ label: li.dataset.label, prob: Number(li.dataset.prob) }))`,
      )) as { label: string; prob: number }[];
    };
    const web = await pageRanking(atSize, 1);
    const cli = await cliRanking(atSize);
    assert.equal(web.length, LABELS.length);
    assert.equal(web[0]!.label, cli[0]!.label, "same top label");
    let worst = 0;
    for (const c of cli) {
      const w = web.find((x) => x.label === c.label);
      assert.ok(w, `page lists ${c.label}`);
      worst = Math.max(worst, Math.abs(w.prob - c.prob));
    }
    t.diagnostic(
      `at the model's size: max |p_page − p_cli| = ${worst.toExponential(2)}; cli ${JSON.stringify(cli.map((c) => [c.label, +c.prob.toFixed(4)]))}`,
    );
    assert.ok(worst <= 1e-3, `probabilities differ by ${worst}`);
    // The 64-px original goes through the canvas's resize, not sharp's: reported, not required equal.
    const big = await pageRanking(NOTO, 2);
    const bigCli = await cliRanking(NOTO);
    const bigWorst = Math.max(
      ...bigCli.map((c) => Math.abs(big.find((x) => x.label === c.label)!.prob - c.prob)),
    );
    t.diagnostic(`64 px through the canvas resize: max |p_page − p_cli| = ${bigWorst.toExponential(2)}`);
    // The tolerance can tell different pixels apart: the resized 64 px image is not the 16 px file.
    const other = Math.max(...cli.map((c) => Math.abs(big.find((x) => x.label === c.label)!.prob - c.prob)));
    assert.ok(
      other > 1e-3,
      `another image's probabilities are within ${other} of these: the check could not fail`,
    );
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

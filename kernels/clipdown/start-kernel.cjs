#!/usr/bin/env node
/**
 * Starts this project's tslab as a Jupyter kernel (kernel.json: `node start-kernel.cjs
 * {connection_file}`). Two things stock tslab lacks here:
 *  - tsx's CommonJS hook, registered the same way as bin/clipdown, so that the project's imports
 *    of ES-module files without extensions (tfjs-core's gradient registrations) load;
 *  - the rootDir patch (scripts/patch-tslab.cjs), re-checked before tslab loads so that a
 *    `npm install --ignore-scripts` (which skips postinstall) still gives notebooks `../src`.
 */
"use strict";
const path = require("node:path");
const { createRequire } = require("node:module");

const root = path.resolve(__dirname, "..", "..");
const projectRequire = createRequire(path.join(root, "package.json"));
const connectionFile = process.argv[2];
if (!connectionFile) {
  console.error("usage: node start-kernel.cjs CONNECTION_FILE (Jupyter passes {connection_file})");
  process.exit(2);
}
const patch = require(path.join(root, "scripts", "patch-tslab.cjs")).patchTslab(root, { apply: true });
if (patch.status === "patched") console.error(`clipdown kernel: ${patch.messages.join("; ")}`);
projectRequire("tsx/cjs");
process.env.TSLAB_ROOT_DIR = process.env.TSLAB_ROOT_DIR || root;
process.argv = [process.argv[0], path.join(root, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", connectionFile];
projectRequire("tslab/dist/main.js").main();

#!/usr/bin/env node
// Runs the TypeScript CLI straight from src/ through tsx, so `npx clipdown` works after `npm ci`
// with no build step.
require("tsx/cjs");
require("tsx/esm");
require("../src/cli.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });

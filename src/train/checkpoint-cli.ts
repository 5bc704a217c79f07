/**
 * `clipdown checkpoint verify FILE...`: checks checkpoints whole without loading a model — format,
 * the SHA-256 of every tensor and of the metadata, metadata types and ranges, finite weights and
 * moments — and prints one line per file. Exit 0 when every file passes, 1 otherwise.
 */
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { CheckpointError, readCheckpoint } from "./checkpoint";

const SPECS: FlagSpecs = {
  json: { kind: "boolean", help: "print one JSON object per file" },
  help: { kind: "boolean", help: "show this help" },
};

const USAGE = "clipdown checkpoint verify FILE.safetensors...";

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(formatHelp(USAGE, SPECS));
    return 0;
  }
  const [sub, ...files] = positional;
  if (sub !== "verify") throw new UsageError(`the only subcommand is verify: ${USAGE}`);
  if (files.length === 0) throw new UsageError(`give one or more checkpoint files: ${USAGE}`);
  let failed = 0;
  for (const file of files) {
    try {
      const c = readCheckpoint(file);
      const tensors = Object.keys(c.file.tensors).length;
      const how = c.checksummed
        ? `${tensors} tensors and the metadata match their SHA-256`
        : `${tensors} tensors; a v1 file has no checksums, so only types, ranges and finite values were checked`;
      if (flags.json) {
        console.log(
          JSON.stringify({
            file,
            ok: true,
            format: c.format,
            checksummed: c.checksummed,
            tensors,
            step: c.state.step,
            samples: c.state.samples,
          }),
        );
      } else {
        console.log(`ok ${file}: ${c.format}, step ${c.state.step}, ${c.state.samples} samples; ${how}`);
      }
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      failed++;
      if (flags.json) console.log(JSON.stringify({ file, ok: false, error: e.message }));
      else console.error(`FAILED ${e.message}`);
    }
  }
  return failed ? 1 : 0;
}

/** `clipdown info [--json]`: which compute backend was chosen, why, and what was skipped. */
import { formatHelp, parseArgs } from "../util/args";
import { type BackendInfo, initBackend } from "./backend";

const SPECS = {
  json: { kind: "boolean" as const, help: "print JSON", default: false },
  help: { kind: "boolean" as const, help: "show this help", default: false },
};

/** Human-readable summary of a BackendInfo. */
export function formatInfo(i: BackendInfo): string {
  const lines = [
    `backend:  ${i.backend}`,
    `reason:   ${i.reason}`,
    `threads:  ${i.threads} (tfjs wasm), ${i.gemmThreads} (clipdown GEMM, CLIPDOWN_THREADS)`,
    `simd:     ${i.simd}`,
    `kernels:  ${i.kernels.length ? i.kernels.join(", ") : "(none)"}`,
    `fused:    ${i.fused}`,
    `versions: ${Object.entries(i.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  ];
  if (i.adapter) {
    const a = i.adapter;
    lines.push(
      `adapter:  ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(" / ") || "(unnamed)"}${a.software ? " (software)" : ""}`,
    );
  }
  if (i.skipped.length) {
    lines.push("skipped:");
    for (const s of i.skipped) lines.push(`  ${s.backend}: ${s.reason}`);
  }
  return lines.join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(formatHelp("usage: clipdown info [--json]", SPECS));
    return 0;
  }
  let i: BackendInfo;
  try {
    i = await initBackend();
  } catch (e) {
    console.error(`clipdown info: ${(e as Error).message}`);
    return 2;
  }
  console.log(flags.json ? JSON.stringify(i, null, 2) : formatInfo(i));
  return 0;
}

import { initBackend } from "./backend";

export async function run(_argv: string[]): Promise<number> {
  console.log(JSON.stringify(await initBackend(), null, 2));
  return 0;
}

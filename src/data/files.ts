/**
 * Reading a file that a user's manifest, folder or command line names, without trusting it: a link
 * to a device, a FIFO or a huge file must be refused, not read whole (issue 19, F5). Shared by
 * `clipdown shards` and the inference API.
 */
import * as fs from "node:fs";

/** 64 MiB: far above any icon or photo a small CLIP trains on, far below what would exhaust memory. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Why a named file was refused before reading it (counted under its own reason). */
export class RefusedFile extends Error {
  constructor(
    readonly reason: "non-regular-file" | "too-large-file",
    message: string,
  ) {
    super(message);
  }
}

function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Reads a file a manifest or folder names, refusing what must never be read whole: a link to
 * `/dev/zero` or a device (endless), a FIFO (blocks forever: opened non-blocking, then refused), a
 * directory, or a regular file over `maxBytes`. The size comes from the open descriptor, so a link
 * swapped after a check cannot slip through, and at most `size` bytes are read even if it grows.
 */
export async function readBoundedFile(file: string, maxBytes: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new RefusedFile("non-regular-file", `${fileKind(st)}, not an image file`);
    if (st.size > maxBytes) {
      throw new RefusedFile(
        "too-large-file",
        `${st.size} bytes, over the ${maxBytes}-byte limit (raise it with --max-file-bytes)`,
      );
    }
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

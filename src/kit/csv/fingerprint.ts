import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { FerryError } from '../../errors.js';

/** Bytes of the file's start hashed: enough to tell another file or an edited header, cheap on every chunk. */
const FINGERPRINT_BYTES = 64 * 1024;

async function firstBytes(file: string, length: number): Promise<{ bytes: Buffer; size: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(length, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { bytes: buffer.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `<bytes hashed>:<sha256 of them>`, taken when a load begins. */
export async function fingerprintOf(file: string): Promise<string> {
  const { bytes } = await firstBytes(file, FINGERPRINT_BYTES);
  return `${bytes.length}:${digest(bytes)}`;
}

/**
 * A load resumes from a byte offset only in the file it began on: the same first bytes, and at least as long as
 * what was read. Lines added at the end are read on; a file edited before the offset, or replaced, stops the load
 * here, before a chunk is read from the middle of a line.
 */
export async function checkUnchanged(
  file: string,
  fingerprint: string | null,
  offset: number,
): Promise<void> {
  if (fingerprint === null) return; // a checkpoint written before fingerprints were kept
  const [length] = fingerprint.split(':');
  const { bytes, size } = await firstBytes(file, Number(length));
  if (size < offset || `${bytes.length}:${digest(bytes)}` !== fingerprint) {
    throw new FerryError(
      `${file} changed since this load began reading it (${size < offset ? `it is shorter than the ${offset} bytes already read` : 'its first bytes differ'}): start a new load to read it from the start (a load of a file loaded before writes only what differs)`,
    );
  }
}

/**
 * Atomic file output: each file is written under a temporary name in its folder, then renamed,
 * so a crash never leaves a half-written file behind.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let counter = 0;

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${process.pid}.${counter++}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A file name that cannot leave its folder: no separators, no dot-only names. */
export function safeName(name: string): string {
  const cleaned = [...String(name).normalize('NFC')]
    .map((ch) => (ch.charCodeAt(0) < 0x20 || '/\\:*?"<>|'.includes(ch) ? '_' : ch))
    .join('')
    .replace(/_+/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 120);
  return cleaned === '' ? '_' : cleaned;
}

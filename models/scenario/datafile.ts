/**
 * Reading the files a scenario names (the scenario itself, SWF traces, empirical CSVs) without
 * letting a path hang or exhaust the process: only regular files are read (not devices such as
 * /dev/zero, pipes or folders), and only up to a size cap, checked before reading.
 */
import { readFileSync, statSync } from 'node:fs';

/** Size caps, bytes. A JavaScript string holds at most about 512 M characters. */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;
export const MAX_TRACE_BYTES = 256 * 1024 * 1024;
export const MAX_EMPIRICAL_BYTES = 64 * 1024 * 1024;

export type DataFile = { ok: true; text: string } | { ok: false; reason: string };

/** Why `path` cannot be read as a data file, or null when it is a regular file within `maxBytes`. */
export function dataFileProblem(path: string, maxBytes: number): string | null {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : String((error as Error).message);
  }
  if (stat.isDirectory()) return 'it is a folder, not a file';
  if (!stat.isFile()) return 'it is not a regular file (a device, pipe or socket cannot be read as data)';
  if (stat.size > maxBytes) return `it is ${megabytes(stat.size)}, more than the ${megabytes(maxBytes)} resim reads`;
  return null;
}

/** The text of a regular file of at most `maxBytes`, or why not. */
export function readDataFile(path: string, maxBytes: number): DataFile {
  const problem = dataFileProblem(path, maxBytes);
  if (problem !== null) return { ok: false, reason: problem };
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (error) {
    return { ok: false, reason: String((error as Error).message) };
  }
}

function megabytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toPrecision(3))} MB`;
}

/**
 * `{empirical: {file: repairs.csv}}`: a one-column CSV of durations (SCENARIOS.md
 * "Distributions"). An optional header names the unit of bare numbers ("hours", "minutes");
 * without one, bare numbers are hours as everywhere else in a scenario.
 */
import { MAX_EMPIRICAL_BYTES, readDataFile } from './datafile.js';
import * as m from './messages.js';
import { headerUnit, parseDuration } from './units.js';

export type Empirical = { ok: true; values: number[] } | { ok: false; message: string };

/** Reads `path`; messages name the file as the scenario wrote it (`shownAs`). */
export function readEmpirical(path: string, shownAs: string): Empirical {
  const read = readDataFile(path, MAX_EMPIRICAL_BYTES);
  if (!read.ok) return { ok: false, message: read.reason === 'no such file' ? m.fileNotFound(shownAs) : m.fileUnreadable(shownAs, read.reason) };
  const content = read.text;
  const values: number[] = [];
  let toHours = (amount: number): number => amount;
  let headerSeen = false;
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const cell = (lines[i] ?? '').trim();
    const lineNumber = i + 1;
    if (cell === '' || cell.startsWith('#')) continue;
    if (cell.includes(',') || cell.includes(';') || cell.includes('\t')) return { ok: false, message: m.csvColumns(shownAs, lineNumber) };
    const unquoted = cell.replace(/^"(.*)"$/, '$1').trim();
    const bare = Number(unquoted);
    if (!headerSeen && values.length === 0 && /^[A-Za-z_][A-Za-z_ ()]*$/.test(unquoted)) {
      // A header: it may name the unit of the bare numbers below it; otherwise they stay hours.
      headerSeen = true;
      toHours = headerUnit(unquoted) ?? toHours;
      continue;
    }
    const parsed = Number.isNaN(bare) || unquoted === '' ? parseDuration(unquoted) : parseDuration(toHours(bare));
    if (!parsed.ok) {
      return { ok: false, message: parsed.reason === 'negative' ? m.csvNegative(shownAs, lineNumber) : m.csvValue(shownAs, lineNumber, unquoted) };
    }
    values.push(parsed.value);
  }
  if (values.length === 0) return { ok: false, message: m.csvEmpty(shownAs) };
  return { ok: true, values };
}

/**
 * `{empirical: {file: repairs.csv}}`: a one-column CSV of durations (SCENARIOS.md
 * "Distributions"). An optional header names the unit of bare numbers ("hours", "minutes");
 * without one, bare numbers are hours as everywhere else in a scenario.
 */
import { readFileSync } from 'node:fs';
import * as m from './messages.js';
import { headerUnit, parseDuration } from './units.js';

export type Empirical = { ok: true; values: number[] } | { ok: false; message: string };

/** Reads `path`; messages name the file as the scenario wrote it (`shownAs`). */
export function readEmpirical(path: string, shownAs: string): Empirical {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? m.fileNotFound(shownAs) : m.fileUnreadable(shownAs, String((error as Error).message)) };
  }
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

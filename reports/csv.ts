/**
 * CSV writers for the results folder (CLI.md). Column lists are declared once and drive both
 * the header and the rows.
 */
import { stringify } from 'csv-stringify/sync';
import { csvNumber } from './format.js';

export type Cell = string | number | boolean | null | undefined;

/** Renders rows as CSV with the given columns; numbers are written round-trip exact. */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, Cell>>): string {
  const body = rows.map((row) =>
    columns.map((c) => {
      const v = row[c];
      if (typeof v === 'number') return csvNumber(v);
      if (v === null || v === undefined) return '';
      return String(v);
    }),
  );
  return stringify([columns as string[], ...body], { record_delimiter: '\n' });
}

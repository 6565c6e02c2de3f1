/**
 * Terminal tables: aligned columns, numbers right-aligned; colour only on a TTY without NO_COLOR.
 */
export interface TableOptions {
  color: boolean;
}

export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

const bold = (s: string, on: boolean) => (on ? `\u001b[1m${s}\u001b[22m` : s);
const dim = (s: string, on: boolean) => (on ? `\u001b[2m${s}\u001b[22m` : s);

/** Renders rows under a header; columns whose cells look numeric are right-aligned. */
export function renderTable(header: string[], rows: string[][], opts: TableOptions): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,e+\-[\] ]*$|^-$|^inf$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [bold(line(header), opts.color), dim(widths.map((w) => '-'.repeat(w)).join('  '), opts.color)];
  for (const r of rows) out.push(line(r));
  return out.join('\n') + '\n';
}

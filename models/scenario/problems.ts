/** What is wrong with a scenario file, and where: the unit of every input error resim reports. */

export interface Problem {
  /** The scenario file as the user named it. */
  file: string;
  /** 1-based line of the offending node (for an unknown key: the key itself). */
  line: number;
  /** 1-based column. */
  col: number;
  /** Dotted key path, e.g. `components.ups.unit.mtbf`; empty for the file as a whole. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** `tier3.yaml:14:5 components.ups.unit.mtbf: expected a duration like "250000h", got "fast"` */
export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  const what = p.severity === 'warning' ? `warning: ${p.message}` : p.message;
  return p.path === '' ? `${where} ${what}` : `${where} ${p.path}: ${what}`;
}

/** File order, then the order found; identical reports (same place, path and text) once. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.file}\0${p.line}\0${p.col}\0${p.path}\0${p.message}\0${p.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.file.localeCompare(b.p.file) || a.p.line - b.p.line || a.p.col - b.p.col || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * Bad input: every problem found in one pass (errors and the warnings seen alongside them),
 * sorted by position. The message lists them all, one per line, ready for stderr.
 */
export class InputError extends Error {
  readonly problems: Problem[];

  constructor(problems: readonly Problem[]) {
    const sorted = sortProblems(problems);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = sorted;
  }
}

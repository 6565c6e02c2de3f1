/**
 * Redundancy notation (SCENARIOS.md "Redundancy notation", DOMAIN.md §2.2-2.4, the N-Power
 * terminology article RU-E).
 *
 * Counts are linear in N (`{n, c}` = n·N + c) because N is often only known once the load and
 * the unit capacity are: "2N+1" is one system with N working and N+1 reserve units.
 *
 *   single       N, 3, N+1, 3+1, 2+[1], 2N, 2N+1, 2*2      one system, one output
 *   multi        2(N), (N)+(N+1), 2(N+1), (1+1)+[(1+1)],    subsystems in parentheses; the first
 *                3(N+1), 2*(1+1), (1+1)+2*[(1+1)]           two feed sides a and b, further ones are
 *                                                           reserves put on a side that lost its own
 *   distributed  3N/2, 4N/3, 3(N+1)/2, 3*1/2                k subsystems, k load groups, each
 *                                                           subsystem sized for m groups
 */

/** n·N + c units. */
export interface Count {
  n: number;
  c: number;
}

export interface Subsystem {
  working: Count;
  reserve: Count;
  /** Written in square brackets (a reserve subsystem). */
  bracketed: boolean;
}

export type Redundancy =
  | { form: 'single'; working: Count; reserve: Count }
  | { form: 'multi'; subsystems: Subsystem[] }
  | { form: 'distributed'; k: number; m: number; subsystem: { working: Count; reserve: Count } };

export class NotationError extends Error {}

const count = (n: number, c: number): Count => ({ n, c });

/** Resolves a count once N is known. */
export function resolveCount(x: Count, N: number): number {
  return x.n * N + x.c;
}

/** True when the notation uses the symbol N (so N must come from the load or `N:`). */
export function usesSymbolicN(r: Redundancy): boolean {
  const any = (x: Count) => x.n !== 0;
  switch (r.form) {
    case 'single':
      return any(r.working) || any(r.reserve);
    case 'multi':
      return r.subsystems.some((s) => any(s.working) || any(s.reserve));
    case 'distributed':
      return any(r.subsystem.working) || any(r.subsystem.reserve);
  }
}

/** Returns null when `text` is a notation resim understands, else the reason it is not. */
export function checkRedundancy(text: string): string | null {
  try {
    parseRedundancy(text);
    return null;
  } catch (err) {
    if (err instanceof NotationError) return err.message;
    throw err;
  }
}

/** Remarks that are not errors (e.g. the two readings of "2N"). */
export function redundancyNotes(text: string): string[] {
  const t = compact(text);
  const notes: string[] = [];
  if (/^\d*N$/.test(t) && t !== 'N' && t !== '1N') {
    notes.push(`"${text}" is read as one system of N working + ${t === '2N' ? 'N' : 'reserve'} units with a single output (the article's reading); planners often mean two systems, written 2(N)`);
  }
  return notes;
}

function compact(text: string): string {
  // A lower-case x between numbers or before a bracket is a multiplication sign (2x(N+1), 2x2).
  return String(text).replace(/\s+/g, '').replace(/×/g, '*').replace(/(\d)x(?=[\d([])/g, '$1*');
}

/** Parses a redundancy notation; throws NotationError saying why a form is wrong. */
export function parseRedundancy(input: string | number): Redundancy {
  const text = compact(String(input));
  if (text === '') throw new NotationError('empty redundancy notation');
  if (/X/.test(text)) {
    throw new NotationError(`"${input}": write the number of redundant units instead of X, e.g. N+2`);
  }
  const slash = text.indexOf('/');
  if (slash >= 0) return parseDistributed(text, slash, String(input));
  if (text.includes('(')) return parseMulti(text, String(input));
  const single = parseSingle(text);
  if (!single) throw new NotationError(unknownForm(String(input)));
  return { form: 'single', ...single };
}

function unknownForm(input: string): string {
  return `"${input}" is not a redundancy notation resim knows; examples: N, N+1, 3+1, 2N, 2N+1, 2(N), 2(N+1), (N)+(N+1), 3(N+1), 3N/2`;
}

/** One parallel system written without parentheses. */
function parseSingle(t: string): { working: Count; reserve: Count } | null {
  let m: RegExpExecArray | null;
  if ((m = /^(\d+)$/.exec(t))) return positive({ working: count(0, +m[1]!), reserve: count(0, 0) });
  if (t === 'N') return { working: count(1, 0), reserve: count(0, 0) };
  // N+X, 3+1, 2+[1]
  if ((m = /^(N|\d+)\+(\[(\d+)\]|(\d+))$/.exec(t))) {
    const working = m[1] === 'N' ? count(1, 0) : count(0, +m[1]!);
    return positive({ working, reserve: count(0, +(m[3] ?? m[4])!) });
  }
  // kN and kN+c: N working, (k-1)N + c reserve (RU-E: the multiplier is the margin).
  if ((m = /^(\d+)N(?:\+(\d+))?$/.exec(t))) {
    const k = +m[1]!;
    if (k < 1) return null;
    return { working: count(1, 0), reserve: count(k - 1, m[2] ? +m[2] : 0) };
  }
  // k*n: n working, k·n in all.
  if ((m = /^(\d+)\*(\d+|N)$/.exec(t))) {
    const k = +m[1]!;
    if (k < 1) return null;
    return m[2] === 'N'
      ? { working: count(1, 0), reserve: count(k - 1, 0) }
      : positive({ working: count(0, +m[2]!), reserve: count(0, (k - 1) * +m[2]!) });
  }
  return null;
}

function positive(s: { working: Count; reserve: Count }): { working: Count; reserve: Count } | null {
  return s.working.n === 0 && s.working.c < 1 ? null : s;
}

/** Splits on '+' at bracket depth 0. */
function splitTopLevel(t: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === '+' && depth === 0) {
      parts.push(t.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new NotationError(`unbalanced brackets in "${t}"`);
  }
  if (depth !== 0) throw new NotationError(`unbalanced brackets in "${t}"`);
  parts.push(t.slice(start));
  return parts;
}

function parseInner(inner: string, input: string): { working: Count; reserve: Count } {
  const s = parseSingle(inner);
  if (!s) throw new NotationError(`"${input}": "${inner}" is not a subsystem (expected e.g. N, N+1, 1+1)`);
  return s;
}

function parseMulti(t: string, input: string): Redundancy {
  // Shorthand k(S)+c (RU-E: "shorthand multiplication implies two summands").
  const short = /^(\d+)\*?\(([^()[\]]+)\)\+(\d+)$/.exec(t);
  if (short) {
    const k = +short[1]!;
    if (k !== 2) {
      throw new NotationError(
        `"${input}" is not allowed: a multiplier other than 2 with "+${short[3]}" is ambiguous, it is unclear how many subsystems there are and how many reserve units each has; write the whole sum, e.g. (N)+(N+1)+(N+2) (DOMAIN.md §2.4)`,
      );
    }
    const s = parseInner(short[2]!, input);
    return {
      form: 'multi',
      subsystems: [
        { ...s, bracketed: false },
        { working: s.working, reserve: count(s.reserve.n, s.reserve.c + +short[3]!), bracketed: false },
      ],
    };
  }
  const subsystems: Subsystem[] = [];
  for (const part of splitTopLevel(t)) {
    const m = /^(?:(\d+)\*?)?(\[)?\(([^()[\]]+)\)(\])?$/.exec(part);
    if (!m || Boolean(m[2]) !== Boolean(m[4])) {
      if (/^\d+$/.test(part) || /^N$/.test(part)) {
        throw new NotationError(`"${input}": a term outside parentheses ("${part}") mixes single-system and multi-system notation; write each subsystem in parentheses, e.g. (N)+(N+1)`);
      }
      throw new NotationError(unknownForm(input));
    }
    const times = m[1] ? +m[1] : 1;
    if (times < 1) throw new NotationError(`"${input}": a multiplier must be at least 1`);
    const s = parseInner(m[3]!, input);
    for (let i = 0; i < times; i++) subsystems.push({ ...s, bracketed: Boolean(m[2]) });
  }
  if (subsystems.length < 2) {
    throw new NotationError(`"${input}" has one subsystem; write it without parentheses (e.g. N+1)`);
  }
  // With reserve subsystems marked, every unmarked one is a working subsystem, i.e. one that
  // can feed all loads alone. Dual-input loads take at most two cords, so more than one working
  // subsystem means the load is split (RU-E: "(1+1)+(1+1)+[(1+1)] is impossible without load splitting").
  const marked = subsystems.some((s) => s.bracketed);
  const working = subsystems.filter((s) => !s.bracketed).length;
  if (marked && working !== 1) {
    throw new NotationError(
      working === 0
        ? `"${input}": every subsystem is in square brackets (reserve); one must be the working subsystem`
        : `"${input}" is impossible without load splitting: dual-input loads can be fed by only two subsystems, so ${working} working subsystems need split loads; write the distributed form, e.g. ${subsystems.length}(1+1)/2 (DOMAIN.md §2.3)`,
    );
  }
  return { form: 'multi', subsystems };
}

function parseDistributed(t: string, slash: number, input: string): Redundancy {
  const left = t.slice(0, slash);
  const right = t.slice(slash + 1);
  if (!/^\d+$/.test(right)) throw new NotationError(`"${input}": the number after "/" (loads one subsystem can feed) must be an integer`);
  const m = +right;
  let k: number;
  let sub: { working: Count; reserve: Count };
  let x: RegExpExecArray | null;
  if ((x = /^(\d+)N$/.exec(left))) {
    k = +x[1]!;
    sub = { working: count(1, 0), reserve: count(0, 0) };
  } else if ((x = /^(\d+)\*?\(([^()[\]]+)\)$/.exec(left))) {
    k = +x[1]!;
    sub = parseInner(x[2]!, input);
  } else if ((x = /^(\d+)\*(\d+)$/.exec(left))) {
    k = +x[1]!;
    sub = { working: count(0, +x[2]!), reserve: count(0, 0) };
  } else {
    throw new NotationError(unknownForm(input));
  }
  if (k < 3) throw new NotationError(`"${input}": distributed redundancy needs at least 3 subsystems (k in kN/m)`);
  if (m < 2 || m >= k) {
    throw new NotationError(`"${input}": each subsystem must be able to feed at least 2 and fewer than ${k} load groups (m in kN/m)`);
  }
  return { form: 'distributed', k, m, subsystem: sub };
}

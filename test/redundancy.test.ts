/**
 * Redundancy notation (SCENARIOS.md "Redundancy notation", DOMAIN.md §2.2-2.4): every form in
 * the SCENARIOS.md table parses to the structure the table gives, counts resolve once N is
 * known, and the forms the article calls wrong are rejected with the article's reason.
 */
import { describe, expect, it } from 'vitest';
import {
  checkRedundancy,
  NotationError,
  parseRedundancy,
  redundancyNotes,
  resolveCount,
  usesSymbolicN,
  type Count,
  type Redundancy,
  type Subsystem,
} from '../models/redundancy.js';

/** n·N + c */
const n = (k: number, c = 0): Count => ({ n: k, c });
/** A plain number of units. */
const u = (c: number): Count => ({ n: 0, c });

const single = (working: Count, reserve: Count): Redundancy => ({ form: 'single', working, reserve });
const sub = (working: Count, reserve: Count, bracketed = false): Subsystem => ({ working, reserve, bracketed });
const multi = (...subsystems: Subsystem[]): Redundancy => ({ form: 'multi', subsystems });
const distributed = (k: number, m: number, working: Count, reserve: Count): Redundancy => ({
  form: 'distributed',
  k,
  m,
  subsystem: { working, reserve },
});

/** Units of each subsystem (working + reserve) once N is known; a single system is one entry. */
function unitCounts(r: Redundancy, N: number): number[] {
  const total = (s: { working: Count; reserve: Count }) => resolveCount(s.working, N) + resolveCount(s.reserve, N);
  switch (r.form) {
    case 'single':
      return [total(r)];
    case 'multi':
      return r.subsystems.map(total);
    case 'distributed':
      return Array.from({ length: r.k }, () => total(r.subsystem));
  }
}

/** The message `parseRedundancy` throws for `text` (failing the test if it does not throw a NotationError). */
function rejection(text: string): string {
  let message: string | null = null;
  try {
    parseRedundancy(text);
  } catch (err) {
    expect(err).toBeInstanceOf(NotationError);
    message = (err as NotationError).message;
  }
  expect(message, `"${text}" should be rejected`).not.toBeNull();
  // checkRedundancy reports the same reason without throwing.
  expect(checkRedundancy(text)).toBe(message);
  return message!;
}

describe('the SCENARIOS.md notation table', () => {
  const NP1 = sub(n(1), u(1));
  const oneOne = sub(u(1), u(1));

  const table: [notation: string, meaning: string, expected: Redundancy][] = [
    ['N', 'one system of N units, no redundancy', single(n(1), u(0))],
    ['1', 'one unit, no redundancy', single(u(1), u(0))],
    ['3', 'three units, no redundancy', single(u(3), u(0))],
    ['N+1', 'N working, 1 reserve', single(n(1), u(1))],
    ['N+2', 'N working, 2 reserve', single(n(1), u(2))],
    ['3+1', '3 working, 1 reserve', single(u(3), u(1))],
    ['2+[1]', '2 working, 1 reserve (brackets mark reserve units)', single(u(2), u(1))],
    ['2N', 'one system N+N, single output', single(n(1), n(1))],
    ['2N+1', 'one system N+(N+1)', single(n(1), n(1, 1))],
    ['2(N)', 'two subsystems of N', multi(sub(n(1), u(0)), sub(n(1), u(0)))],
    ['(N)+(N)', 'two subsystems of N', multi(sub(n(1), u(0)), sub(n(1), u(0)))],
    ['2*(2)', 'two subsystems of 2', multi(sub(u(2), u(0)), sub(u(2), u(0)))],
    ['2(N)+1', 'two subsystems, N and N+1', multi(sub(n(1), u(0)), sub(n(1), u(1)))],
    ['(N)+(N+1)', 'two subsystems, N and N+1', multi(sub(n(1), u(0)), sub(n(1), u(1)))],
    ['2(N+1)', 'two subsystems of N+1', multi(NP1, NP1)],
    ['(N+1)+(N+1)', 'two subsystems of N+1', multi(NP1, NP1)],
    ['(1+1)+[(1+1)]', 'two subsystems of 1+1, the second a reserve', multi(oneOne, sub(u(1), u(1), true))],
    ['2*(1+1)', 'two subsystems of 1+1', multi(oneOne, oneOne)],
    ['3(N+1)', 'three subsystems of N+1', multi(NP1, NP1, NP1)],
    [
      '(1+1)+[(1+1)]+[(1+1)]',
      'three subsystems of 1+1, the second and third reserves',
      multi(oneOne, sub(u(1), u(1), true), sub(u(1), u(1), true)),
    ],
    ['3N/2', 'distributed: 3 subsystems of N, each sized for 2 groups', distributed(3, 2, n(1), u(0))],
    ['4N/3', 'distributed: 4 subsystems of N, each sized for 3 groups', distributed(4, 3, n(1), u(0))],
    ['3(N+1)/2', 'distributed: 3 subsystems of N+1, each sized for 2 groups', distributed(3, 2, n(1), u(1))],
  ];

  it.each(table)('%s parses as %s', (notation, _meaning, expected) => {
    expect(parseRedundancy(notation)).toEqual(expected);
    expect(checkRedundancy(notation)).toBeNull();
  });

  it('reads the alternative spellings of the same system identically (whitespace and × too)', () => {
    const same = (a: string, b: string) => expect(parseRedundancy(a)).toEqual(parseRedundancy(b));
    same('2(N)', '(N)+(N)');
    same('2(N)+1', '(N)+(N+1)');
    same('2(N+1)', '(N+1)+(N+1)');
    same('2*(1+1)', '(1+1)+(1+1)');
    same('3(N+1)', '(N+1)+(N+1)+(N+1)');
    same('(1+1)+2*[(1+1)]', '(1+1)+[(1+1)]+[(1+1)]');
    same('2+1', '2+[1]');
    same(' 2 ( N + 1 ) ', '2(N+1)');
    same('2×(2)', '2*(2)');
    expect(parseRedundancy(3)).toEqual(parseRedundancy('3'));
  });

  it('says whether N must come from the load: only for notations written with N', () => {
    expect(['N', 'N+1', '2N', '2N+1', '2(N)', '(N)+(N+1)', '3(N+1)', '3N/2'].map((t) => usesSymbolicN(parseRedundancy(t)))).toEqual(
      Array(8).fill(true),
    );
    expect(['1', '3+1', '2+[1]', '2*(2)', '(1+1)+[(1+1)]', '3*1/2'].map((t) => usesSymbolicN(parseRedundancy(t)))).toEqual(
      Array(6).fill(false),
    );
  });
});

describe('resolveCount: units once N is known', () => {
  it('gives the unit counts of each subsystem for N = 3', () => {
    const N = 3;
    const cases: [string, number[]][] = [
      ['N', [3]],
      ['N+1', [4]],
      ['N+2', [5]],
      ['3+1', [4]],
      ['2+[1]', [3]],
      ['2N', [6]],
      ['2N+1', [7]],
      ['2(N)', [3, 3]],
      ['2*(2)', [2, 2]],
      ['2(N)+1', [3, 4]],
      ['2(N+1)', [4, 4]],
      ['(1+1)+[(1+1)]', [2, 2]],
      ['3(N+1)', [4, 4, 4]],
      ['3N/2', [3, 3, 3]],
      ['4N/3', [3, 3, 3, 3]],
      ['3(N+1)/2', [4, 4, 4]],
    ];
    for (const [notation, units] of cases) expect([notation, unitCounts(parseRedundancy(notation), N)]).toEqual([notation, units]);
  });

  it('evaluates n·N + c', () => {
    expect(resolveCount(n(1), 5)).toBe(5);
    expect(resolveCount(n(1, 1), 5)).toBe(6);
    expect(resolveCount(n(2, 3), 4)).toBe(11);
    expect(resolveCount(u(7), 100)).toBe(7);
  });

  it('2N+1 for N = 1 is the article\'s "1+2": 1 working and 2 reserve units', () => {
    const r = parseRedundancy('2N+1');
    expect(r.form).toBe('single');
    if (r.form !== 'single') return;
    expect([resolveCount(r.working, 1), resolveCount(r.reserve, 1)]).toEqual([1, 2]);
  });
});

describe('forms the article calls wrong', () => {
  it('rejects 3(N)+3: unclear how many subsystems there are and how many reserve units each has', () => {
    const message = rejection('3(N)+3');
    expect(message).toContain('3(N)+3');
    expect(message).toMatch(/not allowed/);
    expect(message).toMatch(/unclear/);
    expect(message).toMatch(/how many reserve units/);
    // It shows the remedy: write the whole sum.
    expect(message).toContain('(N)+(N+1)+(N+2)');
  });

  it('rejects (1+1)+(1+1)+[(1+1)]: two working subsystems need load splitting, and suggests 3(1+1)/2', () => {
    const message = rejection('(1+1)+(1+1)+[(1+1)]');
    expect(message).toMatch(/impossible without load splitting/);
    expect(message).toContain('3(1+1)/2');
    // The suggested form is itself accepted.
    expect(parseRedundancy('3(1+1)/2')).toEqual(distributed(3, 2, u(1), u(1)));
  });

  it('rejects a multi-system whose subsystems are all reserves', () => {
    expect(rejection('[(1+1)]+[(1+1)]')).toMatch(/one must be the working subsystem/);
  });
});

describe('garbage is rejected with a helpful message', () => {
  it('N+X: asks for the number of redundant units', () => {
    expect(rejection('N+X')).toMatch(/number of redundant units instead of X/);
  });

  it('abc: not a notation, with examples of ones that are', () => {
    const message = rejection('abc');
    expect(message).toContain('"abc"');
    expect(message).toMatch(/examples: .*N\+1.*2\(N\+1\).*3N\/2/);
  });

  it('(N+1: unbalanced brackets', () => {
    expect(rejection('(N+1')).toMatch(/unbalanced brackets/);
    expect(rejection('((N)+(N+1)')).toMatch(/unbalanced brackets/);
    expect(rejection('N+1)')).toContain('"N+1)"');
  });

  it('3N/1: a subsystem must feed at least 2 load groups', () => {
    expect(rejection('3N/1')).toMatch(/at least 2 .*load groups/);
  });

  it('2N/2: distributed redundancy needs at least 3 subsystems', () => {
    expect(rejection('2N/2')).toMatch(/at least 3 subsystems/);
  });

  it('3N/3: a subsystem must feed fewer load groups than there are subsystems', () => {
    expect(rejection('3N/3')).toMatch(/fewer than 3 load groups/);
  });

  it('empty, zero units, a single subsystem in parentheses, and mixed single/multi terms', () => {
    expect(rejection('')).toMatch(/empty/);
    expect(rejection('0')).toMatch(/not a redundancy notation/);
    expect(rejection('(N+1)')).toMatch(/one subsystem; write it without parentheses/);
    expect(rejection('(N)+1+(N)')).toMatch(/mixes single-system and multi-system notation/);
    expect(rejection('2(N)/a')).toMatch(/after "\/".*must be an integer/);
  });
});

describe('redundancyNotes', () => {
  it('notes that 2N is read as one system and that two systems are written 2(N)', () => {
    const notes = redundancyNotes('2N');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/one system/);
    expect(notes[0]).toContain('2(N)');
  });

  it('has nothing to say about unambiguous notations', () => {
    for (const t of ['N', 'N+1', '2N+1', '2(N)', '2(N+1)', '3N/2']) expect([t, redundancyNotes(t)]).toEqual([t, []]);
  });
});

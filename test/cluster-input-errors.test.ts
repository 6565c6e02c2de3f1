/**
 * Reservations LSF's brsvadd would refuse (DOMAIN.md §7.5) and jobs that name a reservation that
 * does not exist are input errors (CLI.md): `resim run` exits 2, names file:line:col and the key
 * path of each problem on stderr, and writes no results folder.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as m from '../models/scenario/messages.js';
import { reservationMessages } from '../models/cluster/reservations.js';
import { at } from './helpers/problems.js';
import { resim } from './helpers/timeline.js';

/** A valid cluster scenario; `reservations` and `jobs` lines are spliced in (each line indented as shown). */
function scenario(reservations: string[], jobs: string[] = [], start = '"2026-01-01T00:00"'): string {
  return [
    'scenario: refused',
    `simulation: {horizon: 20h, replications: 1, start: ${start}}`,
    'cluster:',
    '  hosts:',
    '    - {name: host, count: 1, gpus: 10}',
    '  workload:',
    '    jobs:',
    '      - {submit: 0, gpus: 1, runtime: 1h, user: user1}',
    ...jobs,
    '  reservations:',
    ...reservations,
    '',
  ].join('\n');
}

/** 1-based number of the one line of `text` that holds `fragment`. */
function lineWith(text: string, fragment: string): number {
  const lines = text.split('\n');
  const found = lines.flatMap((l, i) => (l.includes(fragment) ? [i + 1] : []));
  if (found.length !== 1) throw new Error(`"${fragment}" is on ${found.length} lines`);
  return found[0]!;
}

interface Expected {
  /** A fragment of the line the problem is on. */
  line: string;
  /** Text on that line where the problem points (its value). */
  needle: string;
  path: string;
  message: string;
}

/** Writes `text` to a file and runs it; expects exit 2 and no results folder. Returns the file and stderr's lines. */
function runRefused(text: string): { file: string; lines: string[]; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'resim-cluster-refused-'));
  const file = join(dir, 'refused.yaml');
  writeFileSync(file, text);
  const out = join(dir, 'out');
  const r = resim(['run', file, '--out', out, '--quiet']);
  expect(r.code, `exit code\n${r.stderr}`).toBe(2);
  expect(existsSync(out), 'no results folder').toBe(false);
  return { file, lines: r.stderr.trim().split('\n').filter((l) => l.trim() !== ''), stderr: r.stderr };
}

/** Runs `text`; expects exit 2, no results folder, and exactly the `expected` problems on stderr. */
function expectRefused(text: string, expected: Expected[]): void {
  const { file, lines, stderr } = runRefused(text);
  const wanted = expected.map((e) => {
    const { line, col } = at(text, lineWith(text, e.line), e.needle);
    return `${file}:${line}:${col} ${e.path}: ${e.message}`;
  });
  expect(lines, `stderr:\n${stderr}`).toEqual(wanted);
}

const R = (fields: string) => `    - {name: "user1#0", users: [user1], hosts: [host-1], ${fields}}`;

describe('reservations LSF would refuse, and jobs in unknown reservations: exit 2, located, nothing written', () => {
  it('end before begin', () => {
    const text = scenario([R('slots: 5, begin: "6:00", end: "4:00"')]);
    expectRefused(text, [{ line: 'user1#0', needle: '"4:00"', path: 'cluster.reservations.0.end', message: m.beginAfterEnd() }]);
  });

  it('more slots than its hosts have', () => {
    const text = scenario([R('slots: 12, begin: "6:00", end: "8:00"')]);
    expectRefused(text, [{ line: 'user1#0', needle: '12', path: 'cluster.reservations.0.slots', message: m.slotsExceedHosts(12, 10) }]);
  });

  it('a name LSF does not accept (it must start with a letter)', () => {
    const text = scenario(['    - {name: "1st-run", users: [user1], hosts: [host-1], slots: 5, begin: "6:00", end: "8:00"}']);
    expectRefused(text, [{ line: '1st-run', needle: '"1st-run"', path: 'cluster.reservations.0.name', message: m.expectedReservationName('1st-run') }]);
  });

  it('a begin time earlier than simulation.start (LSF: not earlier than the current time)', () => {
    const text = scenario([R('slots: 5, begin: "6:00", end: "9:00"')], [], '"2026-01-01T08:00"');
    expectRefused(text, [
      {
        line: 'user1#0',
        needle: '"6:00"',
        path: 'cluster.reservations.0.begin',
        message: `reservation "user1#0": ${reservationMessages.beginBeforeStart('6:00', '2026-01-01T06:00Z', '2026-01-01T08:00Z')}`,
      },
    ]);
  });

  it('a workload.jobs entry naming a reservation that does not exist', () => {
    // The message has no catalogue function (models/cluster/spec.ts writes it inline), so the
    // test checks that it names the key, the place and the unknown reservation.
    const text = scenario([R('slots: 5, begin: "6:00", end: "8:00"')], ['      - {submit: 1h, gpus: 1, runtime: 1h, user: user1, reservation: "user1#9"}']);
    const { file, lines, stderr } = runRefused(text);
    const { line, col } = at(text, lineWith(text, 'user1#9'), '"user1#9"');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]!.startsWith(`${file}:${line}:${col} cluster.workload.jobs.1.reservation: `), stderr).toBe(true);
    expect(lines[0]).toContain('"user1#9"');
  });

  it('every problem in one file is reported at once, not just the first (STYLE.md "Input errors are kind and complete")', () => {
    // Three refused reservations and a job in a reservation that does not exist: four problems.
    const text = scenario(
      [
        '    - {name: "user1#0", users: [user1], hosts: [host-1], slots: 5, begin: "6:00", end: "4:00"}',
        '    - {name: big, users: [user1], hosts: [host-1], slots: 12, begin: "6:00", end: "8:00"}',
        '    - {name: "1st-run", users: [user1], hosts: [host-1], slots: 5, begin: "6:00", end: "8:00"}',
      ],
      ['      - {submit: 1h, gpus: 1, runtime: 1h, user: user1, reservation: "nosuch"}'],
    );
    const { lines, stderr } = runRefused(text);
    const keys = lines.map((l) => /^\S+:\d+:\d+ (\S+):/.exec(l)?.[1]);
    expect(keys.sort(), stderr).toEqual(['cluster.reservations.0.end', 'cluster.reservations.1.slots', 'cluster.reservations.2.name', 'cluster.workload.jobs.1.reservation']);
  });
});

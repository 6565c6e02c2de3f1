/**
 * Property-based fuzzing of the SWF trace reader (issue 8): any text ends in a workload or in one
 * SwfParseError (an InputError) whose problems name the trace, a line and a column that exist,
 * and the SWF field; never another exception, never a slow case. Lines built from known values
 * read back to exactly those values (the reader is checked against a model, not only for not
 * crashing), and traces named by a scenario go through the whole preparation the same way.
 * Fixed seed, printed in the suite's name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepare } from '../cli/pipeline.js';
import { MAX_REPORTED_ERRORS, parseSwf, SWF_FIELDS, SwfParseError, type SwfWorkload } from '../models/cluster/swf.js';
import { InputError, loadScenarioText } from '../models/scenario/index.js';

/** Fixed, so CI is reproducible; FUZZ_SEED=<n> explores another part of the space. */
const SEED = Number(process.env.FUZZ_SEED ?? 20260816);
const CASE_MS = 2000;
const FILE = 'fuzz.swf';
const RUNS = { lines: 2500, garbage: 500, model: 1000, pipeline: 150 };
let cases = 0;

const FIELD_NAMES = new Set<string>(SWF_FIELDS);

/** The reader's contract on any text. */
function readsOrRefuses(text: string): SwfWorkload | null {
  const t0 = performance.now();
  let result: SwfWorkload | null = null;
  try {
    result = parseSwf(text, FILE);
  } catch (error) {
    if (!(error instanceof SwfParseError)) throw new Error(`not a SwfParseError: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
    const lines = text.split('\n');
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems.length).toBeLessThanOrEqual(MAX_REPORTED_ERRORS);
    for (const p of error.problems) {
      const shown = JSON.stringify(p);
      expect(p.file, shown).toBe(FILE);
      expect(p.line >= 1 && p.line <= lines.length, `line: ${shown}`).toBe(true);
      expect(p.col >= 1 && p.col <= lines[p.line - 1]!.length + 1, `column: ${shown}`).toBe(true);
      expect(p.path === '' || FIELD_NAMES.has(p.path), `field: ${shown}`).toBe(true);
      expect(p.message, shown).not.toMatch(/undefined|NaN\b(?!")|\[object/);
    }
    expect(error.message.split('\n')[0]).toMatch(new RegExp(`^${FILE.replace('.', '\\.')}:\\d+:\\d+ `));
  }
  if (result) {
    let previous = -Infinity;
    for (const job of result.jobs) {
      expect(Number.isInteger(job.id) && job.id >= 0).toBe(true);
      expect(job.submit).toBeGreaterThanOrEqual(previous);
      previous = job.submit;
      for (const v of Object.values(job)) expect(v === null || (Number.isFinite(v) && v >= 0)).toBe(true);
    }
    expect(Object.getPrototypeOf(result.header)).toBeNull();
  }
  const ms = performance.now() - t0;
  expect(ms, `a case took ${ms.toFixed(0)} ms`).toBeLessThan(CASE_MS);
  cases++;
  return result;
}

const hostileField = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1, max: 100_000 }).map(String) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => String(x)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('-1', '-2', '0', '-0', '+5', '1.5', '1e3', '1E+3', '1e', '1e400', '-1e400', '9007199254740993', '99999999999999999999', 'NaN', 'nan', 'inf', '-Infinity', '0x10', '0b1', '1_000', '١٢', '½', '', '--1', '.5', '5.', '..', 'e5', '1.2.3', '🙂', '\u0000', '"3"'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }).map((s) => s.replace(/[\s;]/g, 'x')) },
);

const SEPARATORS = [' ', '  ', '\t', ' \t ', '\u000b', '\u000c'];

const dataLine = fc
  .tuple(fc.array(hostileField, { minLength: 0, maxLength: 21 }), fc.constantFrom(...SEPARATORS), fc.constantFrom('', ' ', '\t', '\r'))
  .map(([fields, sep, tail]) => fields.join(sep) + tail);

const anyLine = fc.oneof(
  { weight: 6, arbitrary: dataLine },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r', ';', '; Version: 2.2', '; MaxProcs: 8', '; __proto__: x', '; constructor: y', '; Note: a', ';: nokey', '  ; indented comment') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

const trace = fc.tuple(fc.array(anyLine, { maxLength: 80 }), fc.boolean(), fc.constantFrom('\n', '\r\n')).map(([lines, bom, eol]) => (bom ? '\uFEFF' : '') + lines.join(eol));

/** A valid job line from known values, and the job the reader must return for it. */
const knownJob = fc.record({
  id: fc.integer({ min: 0, max: 1e9 }),
  wait: fc.option(fc.integer({ min: 0, max: 1e6 })),
  runtime: fc.option(fc.double({ min: 0, max: 1e7, noNaN: true })),
  allocated: fc.option(fc.integer({ min: 1, max: 4096 })),
  requested: fc.option(fc.integer({ min: 1, max: 4096 })),
  requestedTime: fc.option(fc.integer({ min: 0, max: 1e7 })),
  status: fc.option(fc.constantFrom(0, 1, 5)),
  user: fc.option(fc.integer({ min: 0, max: 10_000 })),
  gap: fc.double({ min: 0, max: 1e4, noNaN: true }),
});

describe(`SWF reader fuzz (fast-check seed ${SEED})`, () => {
  it(`${RUNS.lines} traces of hostile lines (wrong field counts, signs, NaN/inf, huge, fractional ids, comments, CRLF, BOM)`, () => {
    fc.assert(fc.property(trace, (t) => void readsOrRefuses(t)), { seed: SEED, numRuns: RUNS.lines, endOnFailure: true });
  });

  it(`${RUNS.garbage} binary and unicode garbage`, () => {
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('utf8')),
      fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.string({ unit: 'binary', maxLength: 500 }),
    );
    fc.assert(fc.property(garbage, (t) => void readsOrRefuses(t)), { seed: SEED, numRuns: RUNS.garbage, endOnFailure: true });
  });

  it(`${RUNS.model} traces of known jobs read back exactly (model check)`, () => {
    fc.assert(
      fc.property(fc.array(knownJob, { minLength: 1, maxLength: 30 }), (jobs) => {
        let submit = 0;
        const expected: Array<{ id: number; submit: number; runtime: number | null; procs: number | null }> = [];
        const lines = jobs.map((j) => {
          submit += j.gap;
          const fields = [j.id, submit, j.wait ?? -1, j.runtime ?? -1, j.allocated ?? -1, -1, -1, j.requested ?? -1, j.requestedTime ?? -1, -1, j.status ?? -1, j.user ?? -1, -1, -1, 1, -1, -1, -1];
          expected.push({ id: j.id, submit, runtime: j.runtime, procs: j.requested ?? j.allocated });
          return fields.map(String).join(' ');
        });
        const result = readsOrRefuses(['; Version: 2.2', ...lines].join('\n'))!;
        expect(result).not.toBeNull();
        const placeable = expected.filter((e) => e.procs !== null);
        expect(result.jobs.map((j) => ({ id: j.id, submit: j.submit, runtime: j.runtime, procs: j.requestedProcs ?? j.allocatedProcs }))).toEqual(placeable);
        expect(result.skipped).toHaveLength(expected.length - placeable.length);
        expect(result.header.Version).toBe('2.2');
      }),
      { seed: SEED, numRuns: RUNS.model, endOnFailure: true },
    );
  });

  it(`${RUNS.pipeline} fuzzed traces named by a scenario: prepared, or refused with the trace's line and column`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'resim-fuzz-swf-'));
    const scenarioFile = join(dir, 'cluster.yaml');
    const scenarioText = 'scenario: swf-fuzz\nsimulation: {horizon: 10h, replications: 1}\ncluster:\n  hosts:\n    - {name: node, count: 2, gpus: 8}\n  workload: {swf: trace.swf}\n';
    let refused = 0;
    fc.assert(
      fc.property(trace, (t) => {
        writeFileSync(join(dir, 'trace.swf'), t);
        try {
          prepare(loadScenarioText(scenarioText, scenarioFile));
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          refused++;
          for (const p of error.problems) {
            expect(p.file.endsWith('trace.swf'), JSON.stringify(p)).toBe(true);
            expect(p.line).toBeGreaterThanOrEqual(1);
          }
        }
        cases++;
      }),
      { seed: SEED, numRuns: RUNS.pipeline, endOnFailure: true },
    );
    expect(refused).toBeGreaterThan(10);
  });

  it('ran them all', () => {
    process.stdout.write(`SWF fuzz, seed ${SEED}: ${cases} cases\n`);
    expect(cases).toBe(Object.values(RUNS).reduce((a, b) => a + b, 0));
  });
});

/**
 * Property-based fuzzing of the scenario loader and validator (issue 8): whatever the file says,
 * loading and preparing it (validation, facility expansion, cluster resolution) ends in a
 * scenario or in an InputError whose every problem names the file, a line and column inside it,
 * and the key path; never another exception (the CLI's exit 4), never a hang (each case must
 * finish within CASE_MS; the test's own timeout catches one that never returns).
 *
 * Cases: mutations of every bundled and fixture scenario (hostile values at every path: wrong
 * types, huge and tiny numbers, NaN/Infinity spellings, unicode, paths that leave the folder or
 * name devices; deleted, renamed and unknown keys), text-level mutations of the same files
 * (flipped characters, YAML anchors, tags, tabs, document markers), random documents, binary
 * garbage, anchor/alias structures (cycles, merge keys, "billion laughs" bombs) and deep nesting.
 * A fixed seed (printed in the suite's name) makes every run, and every CI failure, reproducible.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { prepare } from '../cli/pipeline.js';
import { InputError, loadScenarioText, type Problem } from '../models/scenario/index.js';

/** Fixed, so CI is reproducible; FUZZ_SEED=<n> explores another part of the space. */
const SEED = Number(process.env.FUZZ_SEED ?? 20260815);
const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
/** A case slower than this fails (the slowest valid bundled scenario prepares in well under 1 s). */
const CASE_MS = 3000;

/** Every scenario resim ships or tests with: the seeds of the mutations. */
const CORPUS = [
  ...readdirSync(join(ROOT, 'scenarios')).map((f) => join(ROOT, 'scenarios', f)),
  ...['facility.yaml', 'cluster.yaml', 'table1.yaml'].map((f) => join(ROOT, 'test/fixtures/scenarios', f)),
  ...readdirSync(join(ROOT, 'test/fixtures/cluster')).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, 'test/fixtures/cluster', f)),
]
  .filter((f) => f.endsWith('.yaml'))
  .map((file) => ({ file, text: readFileSync(file, 'utf8'), raw: parseYaml(readFileSync(file, 'utf8')) as unknown }));

// ---------------------------------------------------------------------------------------------
// The oracle

interface Tally {
  cases: number;
  valid: number;
  invalid: number;
  slowestMs: number;
}

const tally: Tally = { cases: 0, valid: 0, invalid: 0, slowestMs: 0 };

function checkProblems(error: InputError, text: string, file: string): void {
  const lines = text.split(/\r\n|\r|\n/).length;
  expect(error.problems.length, 'an InputError without problems').toBeGreaterThan(0);
  for (const p of error.problems as Problem[]) {
    const shown = JSON.stringify(p);
    expect(p.file, shown).toBe(file);
    expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines + 1, `line outside the file: ${shown}`).toBe(true);
    expect(Number.isInteger(p.col) && p.col >= 1, `column: ${shown}`).toBe(true);
    expect(typeof p.path, shown).toBe('string');
    expect(p.message.length, shown).toBeGreaterThan(0);
    expect(p.message, shown).not.toMatch(/\bundefined\b|\[object Object\]|\n\s+at /);
  }
  expect(error.message).toContain(`${file}:${error.problems[0]!.line}:${error.problems[0]!.col} `);
}

/** Load, then prepare: a scenario, or located InputErrors; anything else fails the property. */
function loadsOrRefuses(text: string, file: string): void {
  // FUZZ_TRACE=path: the case about to run is written there first (to find one that hangs).
  if (process.env.FUZZ_TRACE) writeFileSync(process.env.FUZZ_TRACE, `${file}\n${text}`);
  const t0 = performance.now();
  let valid = false;
  try {
    const loaded = loadScenarioText(text, file);
    prepare(loaded);
    valid = true;
  } catch (error) {
    if (!(error instanceof InputError)) {
      throw new Error(`not an InputError (the CLI would exit 4): ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
    }
    checkProblems(error, text, file);
  }
  const ms = performance.now() - t0;
  tally.cases++;
  if (valid) tally.valid++;
  else tally.invalid++;
  tally.slowestMs = Math.max(tally.slowestMs, ms);
  expect(ms, `a case took ${ms.toFixed(0)} ms`).toBeLessThan(CASE_MS);
}

// ---------------------------------------------------------------------------------------------
// Generators

const HOSTILE_SCALARS: unknown[] = [
  null, true, false, 0, -0, -1, 1, 2, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 2, -(2 ** 53), 1e21, 4294967296, NaN, Infinity, -Infinity,
  'NaN', '.nan', '.NaN', '.inf', '-.inf', 'Infinity', '-Infinity', 'nan h', 'inf h', '1e400', '1e400h', '-1e400h', '1e-400h',
  '0h', '0s', '-5h', '5', '5 hours', '1e308y', '9e15y', '1e-300s', '0.0000001s', '1e9kW', '1e-9kW', '-1kW', '0kW', '1e400kW',
  '', ' ', '\u0000', '\t', '🙂', 'ünïcödé', 'Ω≈ç√', '\u202e', 'a\nb', '../../etc/passwd', '/etc/passwd', '/dev/zero', '/dev/stdin', '.', '..',
  '%', '150%', '-5%', '1e400%', 'NaN%', 'N+1', 'N+X', '2(N+1)', '3N/2', '999999999(N+1)', 'N+999999999', '(1+1)+[(1+1)]', '1e9+1',
  '0+0', '0', '0N', '2(0)', '3(N)+3', '9999999N/2', 'x'.repeat(5000), '{', '[', '*', '&', '!!js/function', '${process.exit(3)}',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', '2026-02-30', '9999-12-31T23:59', '1:2:3-4:5:6', '99:99', '7:0:0-7:0:0',
];

const fuzzKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'input', 'redundancy', 'unit', 'N', 'count', 'mtbf', 'mttr', '', ' ', '🙂', '0', 'seed', 'swf', 'file'),
  fc.string({ maxLength: 12 }),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_SCALARS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fuzzKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }).map((n) => nest(n)) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...HOSTILE_SCALARS), { maxLength: 5 }) },
);

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

type Path = Array<string | number>;

function paths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

type Mutation =
  | { op: 'set'; at: number; value: unknown }
  | { op: 'delete'; at: number }
  | { op: 'rename'; at: number; key: string }
  | { op: 'add'; at: number; key: string; value: unknown }
  | { op: 'swap'; at: number; other: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rename' as const), at: fc.nat(), key: fuzzKey }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fuzzKey, value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }) },
);

function parentOf(root: unknown, path: Path): Record<string | number, unknown> | null {
  let node = root;
  for (const k of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Record<string | number, unknown>)[k];
  }
  return typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>) : null;
}

function applyMutations(raw: unknown, ms: Mutation[]): unknown {
  const root = structuredClone(raw) as unknown;
  for (const mu of ms) {
    const all = paths(root);
    if (all.length === 0) break;
    const path = all[mu.at % all.length]!;
    const parent = parentOf(root, path);
    if (!parent) continue;
    const key = path[path.length - 1]!;
    switch (mu.op) {
      case 'set':
        parent[key] = mu.value;
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 'rename':
        if (!Array.isArray(parent)) {
          const v = parent[key];
          delete parent[key];
          Object.defineProperty(parent, mu.key, { value: v, enumerable: true, writable: true, configurable: true });
        }
        break;
      case 'add': {
        const target = parent[key];
        if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
          Object.defineProperty(target, mu.key, { value: mu.value, enumerable: true, writable: true, configurable: true });
        } else if (Array.isArray(target)) target.push(mu.value);
        break;
      }
      case 'swap': {
        const other = all[mu.other % all.length]!;
        const otherParent = parentOf(root, other);
        if (otherParent && !other.slice(0, -1).join('.').startsWith(path.join('.'))) {
          const k2 = other[other.length - 1]!;
          [parent[key], otherParent[k2]] = [otherParent[k2], parent[key]];
        }
        break;
      }
    }
  }
  return root;
}

/** YAML text of a mutated value (NaN and Infinity as YAML's .nan/.inf; anything yaml refuses, as JSON). */
function toText(value: unknown): string {
  try {
    return stringifyYaml(value, { aliasDuplicateObjects: false, lineWidth: 0 });
  } catch {
    return JSON.stringify(value) ?? '';
  }
}

const YAML_TOKENS = ['&a ', '*a', '*b', '!!binary ', '!!str ', '!!int ', '!!float ', '!custom ', '? ', '---\n', '...\n', '%YAML 1.1\n', '\t', '<<: *a\n', ': ', '- ', '|\n', '>-\n', '"', "'", '#', '\\u0000', '\u0000', '\uFEFF', '\r', '\r\n', '{', '}', '[', ']', ',', '@', '`'];

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), what: fc.oneof(fc.constantFrom(...YAML_TOKENS), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
);

type TextEdit = { kind: 'insert'; at: number; what: string } | { kind: 'delete' | 'duplicate'; at: number; length: number };

function editText(text: string, edits: TextEdit[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length === 0 ? 0 : e.at % (t.length + 1);
    if (e.kind === 'insert') t = t.slice(0, at) + e.what + t.slice(at);
    else if (e.kind === 'delete') t = t.slice(0, at) + t.slice(at + e.length);
    else t = t.slice(0, at) + t.slice(at, at + e.length) + t.slice(at);
  }
  return t;
}

/** Documents built around anchors and aliases: shared values, cycles, merge keys, exponential bombs. */
const aliasDocument = fc.oneof(
  fc.record({ width: fc.integer({ min: 2, max: 12 }), depth: fc.integer({ min: 1, max: 12 }), where: fc.constantFrom('description', 'components', 'sweep', 'cluster') }).map(
    ({ width, depth, where }) => {
      const lines = ['scenario: bomb', 'x0: &x0 [lol, lol, lol]'];
      for (let i = 1; i <= depth; i++) lines.push(`x${i}: &x${i} [${Array.from({ length: width }, () => `*x${i - 1}`).join(', ')}]`);
      lines.push(`${where}: *x${depth}`);
      return lines.join('\n') + '\n';
    },
  ),
  fc.constantFrom(
    'scenario: x\ncomponents: &c\n  it: {type: load, input: *c}\n',
    'scenario: x\ncomponents: &c\n  a: *c\n',
    'scenario: &s x\ndescription: *s\ncomponents:\n  g: &g {type: group, redundancy: N+1, unit: {mtbf: 1000h, mttr: 1h}}\n  h: *g\n  it: {type: load, input: g, power: 1kW}\n',
    'scenario: x\nbase: &b {type: group, unit: {mtbf: 1000h, mttr: 1h}}\ncomponents:\n  g: {<<: *b, redundancy: "2+1"}\n  it: {type: load, input: g}\n',
    'scenario: x\ncomponents:\n  g: {type: group, redundancy: "2+1", unit: &u {mtbf: 1000h, mttr: 1h}}\n  h: {type: group, redundancy: "1+1", unit: *u}\n  it: {type: load, input: [g, h]}\n',
    'scenario: x\nsimulation: &s {horizon: 1y, seed: *s}\n',
    '&a [*a]\n',
    '&a {a: *a}\n',
    'scenario: *undefined_anchor\n',
    'scenario: x\nsweep: &w {parameter: sweep.values, values: *w}\n',
    'scenario: x\ncluster: &k {hosts: [{name: h, count: 1, gpus: 1}], groups: {g: *k}}\n',
  ),
  fc.tuple(fc.constantFrom(...CORPUS), fc.nat(), fc.nat()).map(([c, a, b]) => {
    // Anchor one node of a real scenario and alias it somewhere else (possibly inside itself).
    const lines = c.text.split('\n');
    const i = a % lines.length;
    const j = b % lines.length;
    lines[i] = lines[i]!.replace(/:\s+(\S)/, ': &a $1');
    lines[j] = lines[j]!.replace(/:\s+\S.*$/, ': *a');
    return lines.join('\n');
  }),
);

const deepDocument = fc.record({ depth: fc.integer({ min: 10, max: 5000 }), style: fc.constantFrom('flow-seq', 'flow-map', 'block', 'mixed'), key: fc.constantFrom('description', 'components', 'simulation', 'cluster') }).map(({ depth, style, key }) => {
  if (style === 'flow-seq') return `scenario: deep\n${key}: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
  if (style === 'flow-map') return `scenario: deep\n${key}: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
  if (style === 'mixed') return `scenario: deep\n${key}: ${'[{a: '.repeat(depth)}1${'}]'.repeat(depth)}\n`;
  const n = Math.min(depth, 800);
  return `scenario: deep\n${key}:\n` + Array.from({ length: n }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n') + ' 1\n';
});

const garbage = fc.oneof(
  fc.constantFrom('', ' ', '\n', '\uFEFF', '\uFEFF\n', '# only a comment\n', '---\n', '...\n', '---\nscenario: a\n---\nscenario: b\n', '\u0000', '~', 'null', '[]', '{}', '"just text"', '12', '-1', '.nan'),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('utf8')),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => 'scenario: x\n' + Buffer.from(b).toString('latin1')),
);

/** Random documents with scenario-shaped keys: the schema sees every kind of value at every level. */
const SCENARIO_KEYS = ['scenario', 'description', 'simulation', 'components', 'crews', 'costs', 'maintenance', 'common_cause', 'sweep', 'expect', 'cluster', 'power_factor'];
const randomDocument = fc.dictionary(fc.oneof(fc.constantFrom(...SCENARIO_KEYS), fuzzKey), hostileValue, { maxKeys: 8 }).map((d) => toText(d));

// ---------------------------------------------------------------------------------------------
// The suite

/** Each property's run count: 10,200 generated cases in all. */
const RUNS = { mutations: 4500, text: 2500, documents: 1200, garbage: 1000, aliases: 700, nesting: 300 };

function assertProperty<T>(arb: fc.Arbitrary<T>, numRuns: number, body: (value: T) => void): void {
  fc.assert(fc.property(arb, body), { seed: SEED, numRuns, endOnFailure: true });
}

describe(`scenario loader fuzz (fast-check seed ${SEED})`, () => {
  it(`${RUNS.mutations} mutated scenarios (hostile values, deleted, renamed and unknown keys)`, () => {
    const arb = fc.tuple(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 4 }));
    assertProperty(arb, RUNS.mutations, ([seed, ms]) => loadsOrRefuses(toText(applyMutations(seed.raw, ms)), seed.file));
  });

  it(`${RUNS.text} text-level mutations (characters, YAML tokens, tabs, anchors, document markers)`, () => {
    const arb = fc.tuple(fc.constantFrom(...CORPUS), fc.array(textEdit, { minLength: 1, maxLength: 6 }));
    assertProperty(arb, RUNS.text, ([seed, edits]) => loadsOrRefuses(editText(seed.text, edits), seed.file));
  });

  it(`${RUNS.documents} random documents with scenario keys`, () => {
    assertProperty(randomDocument, RUNS.documents, (text) => loadsOrRefuses(text, join(ROOT, 'test/fixtures/hardening/random.yaml')));
  });

  it(`${RUNS.garbage} empty files, binary garbage and unicode noise`, () => {
    assertProperty(garbage, RUNS.garbage, (text) => loadsOrRefuses(text, join(ROOT, 'test/fixtures/hardening/garbage.yaml')));
  });

  it(`${RUNS.aliases} anchor and alias structures (cycles, merge keys, bombs)`, () => {
    assertProperty(aliasDocument, RUNS.aliases, (text) => loadsOrRefuses(text, join(ROOT, 'test/fixtures/hardening/aliases.yaml')));
  });

  it(`${RUNS.nesting} deeply nested documents (to 5000 levels)`, () => {
    assertProperty(deepDocument, RUNS.nesting, (text) => loadsOrRefuses(text, join(ROOT, 'test/fixtures/hardening/deep.yaml')));
  });

  it('ran every case, some valid and most refused, none slow', () => {
    const total = Object.values(RUNS).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `loader fuzz, seed ${SEED}: ${tally.cases} cases (${tally.valid} valid, ${tally.invalid} refused with located problems), slowest ${tally.slowestMs.toFixed(0)} ms\n`,
    );
    expect(tally.cases).toBeGreaterThanOrEqual(total);
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(tally.valid).toBeGreaterThan(100);
    expect(tally.invalid).toBeGreaterThan(5_000);
  });
});

// ---------------------------------------------------------------------------------------------
// Through the real program: exit codes and messages

describe(`the CLI on fuzzed scenarios (fast-check seed ${SEED})`, () => {
  it('40 generated files: exit 0 or 2, never 4, never a stack trace, never a hang; a refusal is located', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resim-fuzz-cli-'));
    const cases = fc.sample(
      fc.oneof(
        fc.tuple(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([s, ms]) => toText(applyMutations(s.raw, ms))),
        fc.tuple(fc.constantFrom(...CORPUS), fc.array(textEdit, { minLength: 1, maxLength: 4 })).map(([s, e]) => editText(s.text, e)),
        aliasDocument,
        deepDocument,
        garbage,
      ),
      { seed: SEED, numRuns: 40 },
    );
    const codes = new Map<number, number>();
    cases.forEach((text, i) => {
      const file = join(dir, `case-${i}.yaml`);
      writeFileSync(file, text);
      // validate: the whole loader and preparation, as `run` does before simulating.
      const r = spawnSync(process.execPath, [CLI, 'validate', file], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
      const what = `case ${i} (${file}):\n${text.slice(0, 400)}\nstderr: ${r.stderr}`;
      expect(r.signal, `killed by the per-case timeout: ${what}`).toBeNull();
      expect([0, 2], what).toContain(r.status);
      codes.set(r.status!, (codes.get(r.status!) ?? 0) + 1);
      expect(r.stderr, what).not.toMatch(/\n\s+at |internal error/);
      if (r.status === 2) expect(r.stderr, what).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+ `, 'm'));
      else expect(r.stdout, what).toContain(`${file}: ok`);
    });
    process.stdout.write(`CLI fuzz, seed ${SEED}: ${cases.length} files, exit codes ${JSON.stringify(Object.fromEntries(codes))}\n`);
    expect(codes.get(2) ?? 0).toBeGreaterThan(10);
  });

  it('a mutated scenario that stays valid runs: exit 0 with results, or 2 with a located refusal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resim-fuzz-run-'));
    const small = CORPUS.find((c) => basename(c.file) === 'ups-modules-n1.yaml')!;
    const cases = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 2 }), { seed: SEED + 1, numRuns: 12 });
    let ran = 0;
    cases.forEach((ms, i) => {
      const file = join(dir, `run-${i}.yaml`);
      writeFileSync(file, toText(applyMutations(small.raw, ms)));
      const r = spawnSync(process.execPath, [CLI, 'run', file, '--replications', '20', '--workers', '1', '--out', join(dir, `out-${i}`), '--quiet', '--time-limit', '20s'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, NO_COLOR: '1' },
      });
      const what = `case ${i}: ${readFileSync(file, 'utf8').slice(0, 400)}\nstderr: ${r.stderr}`;
      expect(r.signal, what).toBeNull();
      expect([0, 2], what).toContain(r.status);
      expect(r.stderr, what).not.toMatch(/\n\s+at |internal error/);
      if (r.status === 0) {
        ran++;
        expect(readFileSync(join(dir, `out-${i}`, 'summary.csv'), 'utf8')).toMatch(/^metric,unit,mean/);
      }
    });
    expect(ran).toBeGreaterThan(0);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

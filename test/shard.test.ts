/**
 * `resim run FILE --shard K/N` + `resim merge DIR... --out DIR` (CLI.md "Determinism"), through the
 * built program: merged folders are byte-identical to an unsharded run with the same seed and R,
 * and shards that do not make up one study are refused (exit 2) without writing anything.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeShard, encodeShard, shardIndices, shardMessages, type ShardFile } from '../cli/shard.js';
import { mergeMessages } from '../cli/merge.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');

function resim(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'resim-shard-'));
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

/** Runs shard K of N into a fresh folder (under `base`) and returns it. */
function shard(file: string, k: number, n: number, flags: string[], base = tmp()): string {
  const dir = join(base, `shard-${k}-of-${n}`);
  const r = resim(['run', file, ...flags, '--shard', `${k}/${n}`, '--out', dir, '--workers', '1', '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

/** Shards 1..n of a study; the facility study's folders are made once and shared by the tests. */
const made = new Map<string, string[]>();
function shardsOf(file: string, n: number, flags: string[], base = tmp()): string[] {
  const key = JSON.stringify([file, n, flags]);
  if (file === FACILITY && made.has(key)) return made.get(key)!;
  const dirs = Array.from({ length: n }, (_, i) => shard(file, i + 1, n, flags, base));
  if (file === FACILITY) made.set(key, dirs);
  return dirs;
}

function merge(dirs: string[], out: string) {
  return resim(['merge', ...dirs, '--out', out, '--quiet']);
}

const FACILITY = 'scenarios/tier1-single-path.yaml';
const FACILITY_FLAGS = ['--replications', '21', '--seed', 'shard-test'];
const FILES = ['summary.csv', 'replications.csv', 'incidents.csv', 'causes.csv'];

describe('shard assignment', () => {
  it('shard K of N runs K-1, K-1+N, ... and the shards cover 0..R-1 exactly once', () => {
    expect(shardIndices(2, 3, 10)).toEqual([1, 4, 7]);
    expect(shardIndices(5, 7, 4)).toEqual([]);
    const all = [1, 2, 3, 4, 5, 6, 7].flatMap((k) => shardIndices(k, 7, 21)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 21 }, (_, i) => i));
  });

  it('shard.json keeps NaN, infinities and -0 exactly', () => {
    const shard = { values: [[NaN, Infinity, -Infinity, -0, 0.1 + 0.2, 5e-324]], extras: [{ incidents: [{ start: NaN }] }, null] } as unknown as ShardFile;
    const back = decodeShard(encodeShard(shard));
    const row = back.values[0]!;
    expect(row[0]).toBeNaN();
    expect(row.slice(1, 3)).toEqual([Infinity, -Infinity]);
    expect(Object.is(row[3], -0)).toBe(true);
    expect(row.slice(4)).toEqual([0.1 + 0.2, 5e-324]);
    expect((back.extras[0] as { incidents: Array<{ start: number }> }).incidents[0]!.start).toBeNaN();
  });
});

describe('merge is byte-identical to an unsharded run', () => {
  let full: string;
  beforeAll(() => {
    full = tmp();
    const r = resim(['run', FACILITY, ...FACILITY_FLAGS, '--out', full, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
  });

  for (const n of [1, 3, 7]) {
    it(`${n} shard${n > 1 ? 's' : ''} of ${FACILITY}, 21 replications`, () => {
      const out = join(tmp(), 'merged');
      const r = merge(shardsOf(FACILITY, n, FACILITY_FLAGS), out);
      expect(r.code, r.stderr).toBe(0);
      for (const f of FILES) expect(read(out, f), f).toBe(read(full, f));
      expect(read(full, 'incidents.csv').split('\n').length).toBeGreaterThan(3);
      expect(existsSync(join(out, 'report.html'))).toBe(true);
      expect(existsSync(join(out, 'charts', 'estimates.svg'))).toBe(true);
      const a = JSON.parse(read(full, 'run.json')) as Record<string, unknown>;
      const b = JSON.parse(read(out, 'run.json')) as Record<string, unknown>;
      expect(b.workers).toBe('merged');
      expect(b.merged_from_shards).toBe(n);
      for (const k of ['workers', 'wall_seconds', 'events_per_second', 'merged_from_shards']) {
        delete a[k];
        delete b[k];
      }
      expect(b).toEqual(a);
    });
  }

  it('a cluster scenario (jobs.csv, NaN metrics) merges byte-identically', () => {
    const file = 'test/fixtures/scenarios/cluster.yaml';
    const flags = ['--replications', '3'];
    const whole = tmp();
    expect(resim(['run', file, ...flags, '--out', whole, '--quiet']).code).toBe(0);
    const shards = shardsOf(file, 2, flags);
    expect(read(shards[0]!, 'shard.json')).toContain('{"$number":"NaN"}');
    const out = join(tmp(), 'merged');
    const r = merge(shards, out);
    expect(r.code, r.stderr).toBe(0);
    for (const f of [...FILES, 'jobs.csv']) expect(read(out, f), f).toBe(read(whole, f));
    expect(read(whole, 'jobs.csv').split('\n').length).toBeGreaterThan(3);
  });
});

describe('mismatched shards are refused (exit 2, nothing written)', () => {
  let three: string[];
  beforeAll(() => {
    three = shardsOf(FACILITY, 3, FACILITY_FLAGS);
  });

  function refused(dirs: string[], expected: string) {
    const out = join(tmp(), 'merged');
    const r = merge(dirs, out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(existsSync(out)).toBe(false);
  }

  it('a different seed', () => {
    const other = shard(FACILITY, 2, 3, ['--replications', '21', '--seed', 'other']);
    refused([three[0]!, other, three[2]!], mergeMessages.differ('seed', three[0]!, 'shard-test', other, 'other'));
  });

  it('a different shard count N', () => {
    const first = shard(FACILITY, 1, 2, FACILITY_FLAGS);
    refused([three[0]!, three[1]!, first], mergeMessages.differ('shard count N', three[0]!, 3, first, 2));
  });

  it('a missing shard, named', () => {
    refused([three[0]!, three[2]!], mergeMessages.missing([2], 3));
  });

  it('a duplicate shard, with both folders named', () => {
    const again = join(tmp(), 'copy-of-2');
    mkdirSync(again);
    copyFileSync(join(three[1]!, 'shard.json'), join(again, 'shard.json'));
    refused([three[0]!, three[1]!, again, three[2]!], mergeMessages.duplicate(2, 3, [three[1]!, again]));
  });

  it('shards of two different scenarios', () => {
    const other = shard('scenarios/tier3-n1.yaml', 2, 3, FACILITY_FLAGS);
    refused([three[0]!, other, three[2]!], mergeMessages.differ('scenario', three[0]!, 'tier1-single-path', other, 'tier3-n1'));
  });

  it('a scenario file edited after the shards ran', () => {
    const base = tmp();
    const file = join(base, 'edited.yaml');
    copyFileSync(join(ROOT, FACILITY), file);
    const dirs = shardsOf(file, 2, FACILITY_FLAGS, base);
    // The scenario's own seed: --seed overrides it, but the file is no longer the one the shards ran.
    writeFileSync(file, read(file).replace(/seed: 20261201/, 'seed: 1'));
    const r = merge(dirs, join(base, 'merged'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} changed since the shards ran`);
    expect(existsSync(join(base, 'merged'))).toBe(false);
  });

  it('a folder without shard.json', () => {
    const empty = tmp();
    refused([three[0]!, empty], mergeMessages.notShard(empty));
  });
});

describe('--shard refusals', () => {
  it('a malformed K/N', () => {
    for (const bad of ['0/3', '4/3', '2', 'a/b']) {
      const r = resim(['run', FACILITY, '--shard', bad, '--out', join(tmp(), 'x'), '--quiet']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(shardMessages.badShard(bad));
    }
  });

  it('a precision target without --replications', () => {
    const r = resim(['run', 'scenarios/ups-modules-n1.yaml', '--shard', '1/2', '--out', join(tmp(), 'x'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(shardMessages.precision('scenarios/ups-modules-n1.yaml'));
  });

  it('a sweep', () => {
    const r = resim(['run', 'scenarios/tenant-stop-vs-freeze.yaml', '--replications', '2', '--shard', '1/2', '--out', join(tmp(), 'x'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(shardMessages.sweep('scenarios/tenant-stop-vs-freeze.yaml'));
  });
});

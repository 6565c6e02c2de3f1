/**
 * Hostile inputs (issue 8): the bugs the fuzzers found, each kept as a regression with the message
 * the user now gets, plus output paths that must stay inside --out, referenced files that must be
 * regular files next to the scenario, and input that is never evaluated as code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../cli/pipeline.js';
import { parseSwf } from '../models/cluster/swf.js';
import { InputError, loadScenarioText, type Problem } from '../models/scenario/index.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');

function resim(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', RESIM_TEST_FAULT: '', RESIM_TEST_INTERRUPT: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'resim-hardening-'));

/** The problems of loading and preparing `text` as `file`; fails if it loads. */
function refusal(text: string, file = join(ROOT, 'test/fixtures/hardening/case.yaml')): Problem[] {
  try {
    prepare(loadScenarioText(text, file));
  } catch (error) {
    if (error instanceof InputError) return error.problems.filter((p) => p.severity === 'error');
    throw error;
  }
  throw new Error('expected an InputError');
}

const at = (p: Problem) => `${p.line}:${p.col} ${p.path}: ${p.message}`;

const GROUP = 'components:\n  g: {type: group, redundancy: "1+1", unit: {mtbf: 1000h, mttr: 10h}}\n  it: {type: load, input: g}\n';

describe('bugs the fuzzers found, fixed', () => {
  it('a host count of 1838687209 (was: "Map maximum size exceeded", exit 4) is refused at its line', () => {
    const text = 'scenario: x\nsimulation: {horizon: 10h}\ncluster:\n  hosts:\n    - {name: h, count: 1838687209, gpus: 4}\n';
    expect(refusal(text).map(at)).toEqual(['5:24 cluster.hosts.0.count: must be at most 100000, got 1838687209']);
  });

  it('redundancy 999999999(N+1) (was: out of memory in the notation parser) is refused before parsing', () => {
    const t0 = performance.now();
    const text = 'scenario: x\ncomponents:\n  g: {type: group, redundancy: 999999999(N+1), unit: {mtbf: 1000h, mttr: 10h}}\n  it: {type: load, input: g}\n';
    expect(refusal(text).map(at)).toEqual(['3:32 components.g.redundancy: redundancy: must be at most 10000, got 999999999']);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('N computed from 1e9 kW on 1 W units (was: "Invalid array length", exit 4) is refused at the capacity', () => {
    const text = 'scenario: x\ncomponents:\n  g: {type: group, redundancy: N+1, unit: {capacity: 1W, mtbf: 1000h, mttr: 1h}}\n  it: {type: load, input: g, power: 1e9kW}\n';
    const [p] = refusal(text);
    expect(at(p!)).toBe('3:54 components.g.unit.capacity: this unit capacity against the load would make N about 1.00e+12 units (at most 10000): check the units of capacity and power, or write N');
  });

  it('a weekly reservation over a 1.3e9 h horizon (was: heap out of memory) is refused at its window', () => {
    const text =
      'scenario: x\nsimulation: {horizon: 1329876509, start: "2026-01-05T00:00"}\ncluster:\n  hosts: [{name: h, count: 1, gpus: 4}]\n  groups: {g: [a]}\n' +
      '  reservations:\n    - {name: r, groups: [g], slots: 2, window: "1:8:0-1:18:0"}\n';
    const [p] = refusal(text);
    expect(p!.path).toBe('cluster.reservations.0.window');
    expect(p!.line).toBe(7);
    expect(p!.message).toMatch(/^this recurring window repeats every week 7\.92e\+6 times over the simulated time \(at most 100000\)/);
  });

  it('a gpu_model named hasOwnProperty (was: "distribution must be an object ... got function hasOwnProperty", exit 4) is just a name', () => {
    const text =
      'scenario: x\nsimulation: {horizon: 10h}\ncluster:\n  hosts: [{name: h, count: 2, gpus: 2, gpu_model: hasOwnProperty}]\n  servers:\n    count: 1\n' +
      '    sessions: {between: {exponential: 1d}, duration: {exponential: 3h}}\n    transitions: {ecc_check: {A100: 15min}}\n';
    const prepared = prepare(loadScenarioText(text, join(ROOT, 'test/fixtures/hardening/case.yaml')));
    expect(prepared.kind === 'study' && prepared.study.config.cluster?.servers?.eccCheck).toBeNull();
  });

  it('a !!binary key (was: yaml\'s "Keys with collection values will be stringified" warning, key lost) is refused at the key', () => {
    const text = 'scenario: x\n!!binary aGVsbG8=: 1\n';
    expect(refusal(text).map(at)).toEqual(['2:10 : a key must be plain text, not a list, a mapping or an alias']);
    expect(refusal('scenario: x\ncomponents:\n  ? [a, b]\n  : 1\n').map(at)).toEqual(['3:5 components: a key must be plain text, not a list, a mapping or an alias']);
  });

  it('sweep values named toString and constructor (was: exit 4 from the chart renderer, and a function in sweep.csv)', () => {
    const dir = tmp();
    const file = join(dir, 'sweep.yaml');
    writeFileSync(
      file,
      'scenario: protos\nsimulation: {replications: 20, seed: 1}\n' + GROUP + 'sweep:\n  parameter: simulation.seed\n  values: [a, toString, constructor]\n  reference:\n    r: {a: 1}\n',
    );
    const r = resim(['run', file, '--out', join(dir, 'out'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const sweep = readFileSync(join(dir, 'out', 'sweep.csv'), 'utf8');
    expect(sweep).not.toContain('function');
    expect(sweep.split('\n').filter((l) => l.includes(',downtime_hours,')).map((l) => l.split(',').pop())).toEqual(['1', '', '']);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['a', 'charts', 'constructor', 'report.html', 'sweep.csv', 'toString']);
  });

  it('SWF header keys are plain keys: the header has no prototype, so a key the file lacks (constructor) reads as absent', () => {
    const w = parseSwf('; toString: t\n; Version: 2.2\n1 0 -1 60 1 -1 -1 1 60 -1 1 1 -1 -1 1 -1 -1 -1\n', 't.swf');
    expect(Object.keys(w.header)).toEqual(['toString', 'Version']);
    expect(w.header.toString).toBe('t');
    expect(w.header.constructor).toBeUndefined();
  });
});

describe('YAML resource limits', () => {
  it('an alias bomb is refused at its first alias, quickly, with the key path', () => {
    const lines = ['scenario: bomb', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('description: *a9');
    const t0 = performance.now();
    const problems = refusal(lines.join('\n') + '\n');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(problems.map(at)).toEqual([
      '3:10 a1.0: YAML aliases expand too much (more than 100 alias uses, counting repeats through nested anchors): an "alias bomb"? Write the values out, or use fewer aliases',
    ]);
  });

  it('nesting deeper than 64 levels is refused where it goes too deep; 5000 levels too (no stack overflow)', () => {
    const deep = refusal(`scenario: deep\ndescription: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    expect(deep.map(at)).toEqual([`2:${14 + 64} description${'.0'.repeat(63)}: nested too deeply: a scenario has no value more than 64 levels down`]);
    const deeper = refusal(`scenario: deep\ndescription: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expect(deeper).toHaveLength(1);
    expect(deeper[0]!.message).toBe('nested too deeply: a scenario has no value more than 64 levels down');
    expect(deeper[0]!.line).toBe(2);
  });

  it('a self-referencing alias is an ordinary type error, located', () => {
    expect(refusal('scenario: x\ncomponents: &c\n  it: {type: load, input: *c}\n').map(at)).toEqual([
      '3:20 components.it.input: expected a component name or a list of names, got a mapping',
    ]);
  });
});

describe('files a scenario names, and the scenario file itself', () => {
  it('devices, pipes and folders are refused without reading them (a scenario of /dev/zero used to hang and exhaust memory)', () => {
    const dir = tmp();
    const fifo = join(dir, 'pipe.yaml');
    spawnSync('mkfifo', [fifo]);
    for (const [file, reason] of [
      ['/dev/zero', 'it is not a regular file (a device, pipe or socket cannot be read as data)'],
      [fifo, 'it is not a regular file (a device, pipe or socket cannot be read as data)'],
      [dir, 'it is a folder, not a file'],
      [join(dir, 'absent.yaml'), 'no such file'],
    ] as const) {
      const r = resim(['validate', file]);
      expect(r.code, file).toBe(2);
      expect(r.stderr, file).toBe(`${file}:1:1 cannot read the scenario file: ${reason}\n`);
    }
  });

  it('a trace or an empirical CSV is resolved against the scenario file, must exist and be a regular file (located error otherwise)', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'site', 'data'), { recursive: true });
    writeFileSync(join(dir, 'site', 'data', 'repairs.csv'), 'hours\n1\n2\n3\n');
    writeFileSync(join(dir, 'site', 'jobs.swf'), '1 0 -1 60 1 -1 -1 1 60 -1 1 1 -1 -1 1 -1 -1 -1\n');
    const scenario = (repairs: string, swf: string) =>
      `scenario: refs\nsimulation: {horizon: 10h, replications: 2}\ncomponents:\n  g: {type: group, redundancy: 1, unit: {mtbf: 2000h, repair: {empirical: {file: ${repairs}}}}}\n` +
      `  it: {type: load, input: g}\ncluster:\n  hosts: [{name: h, count: 1, gpus: 4, load: it}]\n  workload: {swf: ${swf}}\n`;
    const file = join(dir, 'site', 'refs.yaml');
    writeFileSync(file, scenario('data/repairs.csv', 'jobs.swf'));
    // From another working directory: the paths are the scenario's, not the shell's.
    const ok = resim(['validate', file], tmpdir());
    expect(ok.code, ok.stderr).toBe(0);

    writeFileSync(file, scenario('data/missing.csv', '/dev/zero'));
    const bad = resim(['validate', file], tmpdir());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:4:82 components.g.unit.repair.empirical.file: file not found: data/missing.csv`);
    expect(bad.stderr).toContain(`${file}:8:19 cluster.workload.swf: cannot read /dev/zero: it is not a regular file (a device, pipe or socket cannot be read as data)`);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('YAML tags and template-like strings are never evaluated', () => {
    const dir = tmp();
    const marker = join(dir, 'evaluated');
    const file = join(dir, 'tags.yaml');
    writeFileSync(
      file,
      `scenario: tags\ndescription: !!js/function "function () { require('fs').writeFileSync('${marker}', 'x') }"\n` +
        `costs: {currency: "\${require('fs').writeFileSync('${marker}', 'x')}"}\n` +
        GROUP,
    );
    const r = resim(['run', file, '--replications', '5', '--out', join(dir, 'out'), '--quiet']);
    expect([0, 2]).toContain(r.code);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('output paths stay inside the output folder', () => {
  function runNamed(name: string): { cwd: string; r: ReturnType<typeof resim> } {
    // cwd/work is where resim runs; cwd itself must stay empty apart from it.
    const cwd = tmp();
    const work = join(cwd, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 's.yaml'), `scenario: ${JSON.stringify(name)}\nsimulation: {replications: 5}\n${GROUP}`);
    return { cwd, r: resim(['run', 's.yaml', '--quiet'], work) };
  }

  it.each([
    ['../../etc/x', '__.._etc_x'],
    ['/etc/passwd', '_etc_passwd'],
    ['..', '_'],
    ['a/../../b', 'a_.._.._b'],
    ['C:\\Windows\\x', 'C_Windows_x'],
    ['nul\u0000byte', 'nul_byte'],
  ])('scenario: %j writes results/%s and nothing outside results/', (name, safe) => {
    const { cwd, r } = runNamed(name);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual(['work']);
    expect(readdirSync(join(cwd, 'work')).sort()).toEqual(['results', 's.yaml']);
    expect(readdirSync(join(cwd, 'work', 'results'))).toEqual([safe]);
    expect(existsSync(join(cwd, 'work', 'results', safe, 'summary.csv'))).toBe(true);
  });

  it('with --out and several files, each goes to a sanitised folder inside --out; sweep values too', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.yaml'), `scenario: "../../a"\nsimulation: {replications: 5}\n${GROUP}`);
    writeFileSync(
      join(dir, 'b.yaml'),
      `scenario: "/b"\nsimulation: {replications: 5, seed: "1"}\n${GROUP}sweep: {parameter: simulation.seed, values: ["../../../up", "/abs"]}\n`,
    );
    const out = join(dir, 'deep', 'out');
    const r = resim(['run', join(dir, 'a.yaml'), join(dir, 'b.yaml'), '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml', 'deep']);
    expect(readdirSync(join(dir, 'deep'))).toEqual(['out']);
    expect(readdirSync(out).sort()).toEqual(['__.._a', '_b']);
    expect(readdirSync(join(out, '_b'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()).toEqual(['__.._.._up', '_abs', 'charts']);
  });
});

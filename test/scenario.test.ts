/**
 * Scenario loading: every mistake in a file is reported at once, each with its line, column,
 * key path and the catalogue's message (STYLE.md "Input errors are kind and complete").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { at, brief, problemsOf } from './helpers/problems.js';
import { COMPONENT_TYPES } from '../models/scenario/components.js';
import {
  InputError,
  formatProblem,
  loadScenarioFile,
  loadScenarioText,
  type LoadedScenario,
  type Problem,
} from '../models/scenario/index.js';
import * as m from '../models/scenario/messages.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'scenarios');

/** Loads text as if it were a file in the fixtures folder (so data files resolve there). */
function load(text: string, name = 'inline.yaml'): LoadedScenario {
  return loadScenarioText(text, join(FIXTURES, name));
}


const MINIMAL = 'scenario: minimal\ncomponents:\n  modules: {type: group, redundancy: "1+1", unit: {mtbf: 1000h, mttr: 10h}}\n  it: {type: load, input: modules}\n';

describe('a file with four mistakes', () => {
  const file = join(FIXTURES, 'four-mistakes.yaml');

  it('reports exactly those four, located, in one InputError', () => {
    const problems = problemsOf(() => loadScenarioFile(file));
    expect(problems.map(brief)).toEqual([
      { line: 7, col: 12, path: 'components.ups.input', message: m.unknownReference('utlity', 'utility') },
      { line: 11, col: 7, path: 'components.ups.unit.mtbff', message: m.unknownKey('mtbff', 'mtbf', []) },
      { line: 12, col: 13, path: 'components.ups.unit.mttr', message: m.expectedDuration('5 fortnights') },
      { line: 14, col: 17, path: 'components.ups.battery.autonomy', message: m.mustNotBeNegative() },
    ]);
    expect(problems.every((p) => p.file === file && p.severity === 'error')).toBe(true);
  });

  it('puts all four in the error message, one per line, in the documented format', () => {
    let caught: unknown;
    try {
      loadScenarioFile(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as InputError;
    expect(error.message.split('\n')).toEqual(error.problems.map(formatProblem));
    expect(error.message.split('\n')[2]).toBe(
      `${file}:12:13 components.ups.unit.mttr: expected a duration like "250000h", got "5 fortnights"`,
    );
  });
});

describe('formatProblem', () => {
  it('writes file:line:col path: message', () => {
    const problem: Problem = {
      file: 'tier3.yaml',
      line: 14,
      col: 5,
      path: 'components.ups.unit.mtbf',
      message: m.expectedDuration('fast'),
      severity: 'error',
    };
    expect(formatProblem(problem)).toBe('tier3.yaml:14:5 components.ups.unit.mtbf: expected a duration like "250000h", got "fast"');
    expect(formatProblem({ ...problem, severity: 'warning' })).toBe(
      'tier3.yaml:14:5 components.ups.unit.mtbf: warning: expected a duration like "250000h", got "fast"',
    );
  });
});

describe('YAML syntax errors', () => {
  it('are reported with their line and column', () => {
    const problems = problemsOf(() => load('scenario: a\ncomponents: {}\nscenario: b\n'));
    expect(problems.map(brief)).toEqual([{ line: 3, col: 1, path: '', message: m.yamlSyntax('Map keys must be unique') }]);
  });

  it('YAML warnings are passed on as warnings', () => {
    const { warnings } = load(MINIMAL.replace('scenario: minimal', 'scenario: !custom minimal'));
    expect(warnings.map((p) => [p.line, p.col, p.message, p.severity])).toEqual([[1, 11, m.yamlWarning('Unresolved tag: !custom'), 'warning']]);
  });

  it('include tab indentation', () => {
    const problems = problemsOf(() => load('scenario: a\nsimulation:\n\thorizon: 1y\n'));
    expect(problems.map((p) => [p.line, p.col])).toEqual([[3, 1]]);
  });
});

describe('JSON scenarios', () => {
  it('load like YAML', () => {
    const loaded = loadScenarioFile(join(FIXTURES, 'facility.json'));
    expect(loaded.scenario.simulation).toMatchObject({ horizon: 8760, replications: 500, seed: 'abc' });
    expect(loaded.scenario.components.modules).toEqual({
      type: 'group',
      redundancy: '3+1',
      shared: false,
      unit: { failure: { kind: 'exponential', mean: 8660 }, repair: { kind: 'exponential', mean: 100 } },
    });
  });

  it('locate their errors', () => {
    const text = [
      '{',
      '  "scenario": "json-errors",',
      '  "components": {',
      '    "m": {"type": "group", "unit": {"mtbf": "fast"}, "sharde": true},',
      '    "it": {"type": "load", "input": "n"}',
      '  }',
      '}',
    ].join('\n');
    const problems = problemsOf(() => load(text, 'inline.json'));
    expect(problems.map(brief)).toEqual([
      { ...at(text, 4, '"fast"'), path: 'components.m.unit.mtbf', message: m.expectedDuration('fast') },
      { ...at(text, 4, '"sharde"'), path: 'components.m.sharde', message: m.unknownKey('sharde', 'shared', []) },
      { ...at(text, 5, '"n"'), path: 'components.it.input', message: m.unknownReference('n', 'm') },
    ]);
  });
});

describe('missing and unknown keys', () => {
  it('points a missing key at its parent', () => {
    const text = 'scenario: x\ncomponents:\n  grid: {type: utility}\n  ups:\n    type: ups\n    input: grid\n    unit:\n      mtbf: 1000h\n';
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([{ ...at(text, 7, 'unit'), path: 'components.ups.unit.capacity', message: m.missingKey('capacity') }]);
  });

  it('points a missing top-level key at the start of the file', () => {
    const problems = problemsOf(() => load('components: {}\n'));
    expect(problems.map(brief)).toEqual([{ line: 1, col: 1, path: 'scenario', message: m.missingKey('scenario') }]);
  });

  it('lists the allowed keys when no known key is close', () => {
    const text = `${MINIMAL}    colour: red\n`.replace('  it: {type: load, input: modules}\n', '  it:\n    type: load\n    input: modules\n');
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([
      { ...at(text, 7, 'colour'), path: 'components.it.colour', message: m.unknownKey('colour', undefined, ['type', 'power', 'input', 'cooling', 'recovery']) },
    ]);
  });

  it('names the component types for an unknown type, with a hint', () => {
    const text = 'scenario: x\ncomponents:\n  ups: {type: upss}\n';
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([
      { ...at(text, 3, 'upss'), path: 'components.ups.type', message: m.expectedOneOf(COMPONENT_TYPES, 'upss', 'ups') },
    ]);
  });

  it('suggests fail_to_run for mtbf on a generator unit', () => {
    const text = 'scenario: x\ncomponents:\n  gensets: {type: generator, unit: {capacity: 1MW, mtbf: 1500h}}\n';
    const problems = problemsOf(() => load(text));
    expect(problems.map((p) => [p.path, p.message])).toEqual([['components.gensets.unit.mtbf', m.unknownKey('mtbf', 'fail_to_run', [])]]);
  });

  it('says what a wrong type expected and what it got', () => {
    const text = `${MINIMAL}crews: {count: two}\n`;
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([{ ...at(text, 5, 'two'), path: 'crews.count', message: m.expectedInteger('two') }]);
  });

  it('rejects component names with dots (reserved for expanded names)', () => {
    const text = 'scenario: x\ncomponents:\n  ups.a: {type: utility}\n';
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([{ ...at(text, 3, 'ups.a'), path: 'components.ups.a', message: m.componentName('ups.a') }]);
  });
});

describe('references between components', () => {
  it('rejects a cycle, naming it', () => {
    const text = [
      'scenario: loop',
      'components:',
      '  a: {type: distribution, input: b}',
      '  b: {type: distribution, input: c}',
      '  c: {type: distribution, input: a}',
      '  it: {type: load, input: a}',
    ].join('\n');
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([{ ...at(text, 3, 'b}'), path: 'components.a.input', message: m.referenceCycle(['a', 'b', 'c', 'a']) }]);
  });

  it('rejects a component that feeds itself', () => {
    const text = 'scenario: self\ncomponents:\n  a: {type: distribution, input: a}\n';
    expect(problemsOf(() => load(text)).map((p) => p.message)).toEqual([m.referenceCycle(['a', 'a'])]);
  });

  it('checks what a reference names', () => {
    const text = [
      'scenario: kinds',
      'components:',
      '  grid: {type: utility}',
      '  it: {type: load, input: grid, cooling: grid}',
      '  pdu: {type: distribution, input: it}',
    ].join('\n');
    const problems = problemsOf(() => load(text));
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['components.it.cooling', m.referenceToWrongType('grid', 'utility', 'a cooling component')],
      ['components.pdu.input', m.referenceToWrongType('it', 'load', 'a power source')],
    ]);
  });

  it('checks maintenance targets and common-cause members by their component part', () => {
    const text = [
      MINIMAL.trimEnd(),
      'maintenance:',
      '  - {target: moduls.a, every: 6mo, duration: 4h}',
      '  - {target: modules.1, every: 6mo, duration: 4h}',
      'common_cause:',
      '  - {group: [modules.a, it2], beta: 5%}',
    ].join('\n');
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([
      { ...at(text, 6, 'moduls.a'), path: 'maintenance.0.target', message: m.unknownReference('moduls', 'modules') },
      { ...at(text, 9, 'it2'), path: 'common_cause.0.group.1', message: m.unknownReference('it2', 'it') },
    ]);
  });

  it('checks that hosts are powered by a load', () => {
    const text = `${MINIMAL}cluster:\n  hosts: [{name: gpu, count: 2, load: modules}]\n`;
    const problems = problemsOf(() => load(text));
    expect(problems.map((p) => [p.path, p.message])).toEqual([['cluster.hosts.0.load', m.referenceToWrongType('modules', 'group', 'a load')]]);
  });
});

describe('simulation settings', () => {
  it('fill in the documented defaults', () => {
    const { scenario } = load(MINIMAL);
    expect(scenario.simulation).toEqual({ horizon: 8760, warmup: 0, replications: 1000, seed: '1', start: '2026-01-01T00:00:00.000Z', method: 'crude' });
    expect(scenario.costs).toBeUndefined();
    expect(scenario.crews).toBeUndefined();
    expect(scenario.maintenance).toEqual([]);
    expect(scenario.expect).toEqual([]);
  });

  it('fill in the precision defaults and leave replications unset', () => {
    const { scenario } = load(`${MINIMAL}simulation: {precision: {}, seed: 20261123}\n`);
    expect(scenario.simulation.replications).toBeUndefined();
    expect(scenario.simulation.seed).toBe('20261123');
    expect(scenario.simulation.precision).toEqual({
      metric: 'downtime_hours',
      relative_half_width: 0.05,
      confidence: 0.95,
      min_replications: 100,
      max_replications: 1_000_000,
    });
  });

  it('reject replications together with precision', () => {
    const text = `${MINIMAL}simulation:\n  replications: 100\n  precision: {confidence: 0.9}\n`;
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([{ ...at(text, 7, 'precision'), path: 'simulation.precision', message: m.replicationsAndPrecision() }]);
  });

  it('accept a UTC start only', () => {
    expect(load(`${MINIMAL}simulation: {start: "2026-01-05T06:30"}\n`).scenario.simulation.start).toBe('2026-01-05T06:30:00.000Z');
    const problems = problemsOf(() => load(`${MINIMAL}simulation: {start: "2026-01-05T06:30+02:00"}\n`));
    expect(problems.map((p) => p.message)).toEqual([m.startNotUtc('2026-01-05T06:30+02:00')]);
    expect(problemsOf(() => load(`${MINIMAL}simulation: {start: "2026-02-30"}\n`)).map((p) => p.message)).toEqual([m.expectedStart('2026-02-30')]);
  });

  it('ask for a quoted seed when a number is too large to be exact', () => {
    const problems = problemsOf(() => load(`${MINIMAL}simulation: {seed: 123456789012345678901}\n`));
    expect(problems.map((p) => p.path)).toEqual(['simulation.seed']);
    // YAML reads the unquoted seed as the nearest double, which is what the message quotes back.
    expect(problems[0]?.message).toBe(m.unsafeInteger(Number('123456789012345678901')));
  });
});

describe('expectations', () => {
  it('are parsed into metric, statistic, operator and value', () => {
    const { scenario } = load(`${MINIMAL}expect: ["downtime_hours.p95 <= 4", "jobs.wait_hours.mean<0.5"]\n`);
    expect(scenario.expect).toEqual([
      { text: 'downtime_hours.p95 <= 4', metric: 'downtime_hours', stat: 'p95', operator: '<=', value: 4 },
      { text: 'jobs.wait_hours.mean<0.5', metric: 'jobs.wait_hours', stat: 'mean', operator: '<', value: 0.5 },
    ]);
  });

  it('are syntax checked', () => {
    const text = `${MINIMAL}expect:\n  - "downtime_hours.mean =< 1.6"\n`;
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([{ ...at(text, 6, '"downtime'), path: 'expect.0', message: m.expectedGate('downtime_hours.mean =< 1.6') }]);
  });

  it('warn about a metric resim does not report', () => {
    const { warnings } = load(`${MINIMAL}expect: ["downtime_hour.mean <= 1"]\n`);
    expect(warnings.map((p) => [p.path, p.message, p.severity])).toEqual([['expect.0', m.unknownMetric('downtime_hour', 'downtime_hours'), 'warning']]);
  });
});

describe('files', () => {
  it('an unreadable file is an InputError at 1:1', () => {
    const missing = join(FIXTURES, 'no-such-file.yaml');
    expect(problemsOf(() => loadScenarioFile(missing)).map(brief)).toEqual([{ line: 1, col: 1, path: '', message: m.cannotReadFile('no such file') }]);
  });

  it('a missing empirical data file is located at its name', () => {
    const text = 'scenario: x\ncomponents:\n  g: {type: group, unit: {mttr: 1h, failure: {empirical: {file: data/none.csv}}}}\n';
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([{ ...at(text, 3, 'data/none.csv'), path: 'components.g.unit.failure.empirical.file', message: m.fileNotFound('data/none.csv') }]);
  });

  it('a missing workload trace is located at its path', () => {
    const text = `${MINIMAL}cluster:\n  workload: {swf: traces/none.swf}\n`;
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([{ ...at(text, 6, 'traces/none.swf'), path: 'cluster.workload.swf', message: m.swfNotFound('traces/none.swf') }]);
  });

  it('the text and the raw document are kept', () => {
    const text = readFileSync(join(FIXTURES, 'table1.yaml'), 'utf8');
    const loaded = loadScenarioFile(join(FIXTURES, 'table1.yaml'));
    expect(loaded.text).toBe(text);
    expect((loaded.raw as { components: { modules: { redundancy: string } } }).components.modules.redundancy).toBe('3+1');
  });
});

describe('the cluster', () => {
  it('is normalised: counts as weighted choices, reservation lists filled in', () => {
    const { cluster } = loadScenarioFile(join(FIXTURES, 'cluster.yaml')).scenario;
    expect(cluster?.workload?.synthetic?.gpus).toEqual({ choice: [1, 2, 4, 8], weights: [0.4, 0.3, 0.2, 0.1] });
    expect(cluster?.reservations[2]).toEqual({ name: 'maint', system: true, hosts: ['gpu-4'], users: [], groups: [], window: '5:18:0-5:20:0', type: 'closed' });
    expect(cluster?.servers?.transitions.ecc_check).toEqual({ A100: { kind: 'fixed', value: 0.25 } });
  });

  it('checks reservations against hosts, groups and LSF time syntax', () => {
    const text = [
      MINIMAL.trimEnd(),
      'cluster:',
      '  hosts: [{name: gpu, count: 2, gpus: 8}]',
      '  groups: {groupA: [alice]}',
      '  reservations:',
      '    - {name: "r#1", users: [a], hosts: [gpu-3], slots: 8, begin: "8:00", end: "6:00"}',
      '    - {name: r2, groups: [groupB], window: "25:00-26:00", slots: 1}',
      '    - {name: r3, users: [a], window: "1:0-2:0", slots: 17}',
    ].join('\n');
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([
      { ...at(text, 9, 'gpu-3'), path: 'cluster.reservations.0.hosts.0', message: m.unknownHost('gpu-3', 'gpu-1') },
      { ...at(text, 9, '"6:00"'), path: 'cluster.reservations.0.end', message: m.beginAfterEnd() },
      { ...at(text, 10, 'groupB'), path: 'cluster.reservations.1.groups.0', message: m.unknownGroup('groupB', 'groupA') },
      { ...at(text, 10, '"25:00'), path: 'cluster.reservations.1.window', message: m.expectedLsfWindow('25:00-26:00') },
      { ...at(text, 11, '17'), path: 'cluster.reservations.2.slots', message: m.slotsExceedHosts(17, 16) },
    ]);
  });
});

describe('the hash', () => {
  it('is the same for the same scenario written in another key order or unit', () => {
    const a = load('scenario: h\ncomponents:\n  g: {type: group, unit: {mtbf: 1y, mttr: 10h}}\n  it: {type: load, input: g}\n');
    const b = load('components:\n  it: {input: [g], type: load}\n  g: {unit: {mttr: 600min, mtbf: 8760}, type: group}\nscenario: h\n');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
  });

  it('changes with any normalised value', () => {
    const a = load(MINIMAL);
    const b = load(MINIMAL.replace('mttr: 10h', 'mttr: 11h'));
    expect(b.hash).not.toBe(a.hash);
  });
});

describe('the bundled fixtures', () => {
  it.each(['facility.yaml', 'table1.yaml', 'cluster.yaml', 'facility.json'])('%s validates without warnings', (name) => {
    expect(loadScenarioFile(join(FIXTURES, name)).warnings).toEqual([]);
  });
});

/**
 * withOverride (sweeps, command-line flags) and sweep validation: a changed value is validated
 * like a written one, and its problems point into the original file.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { at, brief, problemsOf } from './helpers/problems.js';
import { checkRedundancy } from '../models/redundancy.js';
import { loadScenarioFile, loadScenarioText, withOverride, type LoadedScenario } from '../models/scenario/index.js';
import * as m from '../models/scenario/messages.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'scenarios');
const TABLE1 = join(FIXTURES, 'table1.yaml');


const redundancyOf = (loaded: LoadedScenario) => {
  const modules = loaded.scenario.components.modules;
  return modules?.type === 'group' ? modules.redundancy : undefined;
};

describe('withOverride', () => {
  const loaded = loadScenarioFile(TABLE1);

  it('sets the value, revalidates, and leaves the original alone', () => {
    const point = withOverride(loaded, 'components.modules.redundancy', '5+1');
    expect(redundancyOf(point)).toBe('5+1');
    expect(point.hash).not.toBe(loaded.hash);
    expect(point.text).toBe(loaded.text);
    expect(redundancyOf(loaded)).toBe('3+1');
    expect((loaded.raw as { components: { modules: { redundancy: string } } }).components.modules.redundancy).toBe('3+1');
  });

  it('converts units of the new value like a written one', () => {
    const point = withOverride(loaded, 'components.modules.unit.mttr', '2d');
    expect(point.scenario.components.modules).toMatchObject({ unit: { repair: { kind: 'exponential', mean: 48 } } });
  });

  it('creates keys the file does not set', () => {
    expect(withOverride(loaded, 'simulation.seed', 42).scenario.simulation.seed).toBe('42');
  });

  it('indexes lists by number', () => {
    const facility = loadScenarioFile(join(FIXTURES, 'facility.yaml'));
    const point = withOverride(facility, 'maintenance.0.every', '3mo');
    expect(point.scenario.maintenance[0]).toMatchObject({ target: 'ups.a', every: 2190, offset: 2190 });
  });

  it('reports a bad value at the original node of that path', () => {
    const problems = problemsOf(() => withOverride(loaded, 'components.modules.unit.mtbf', 'fast'));
    expect(problems.map(brief)).toEqual([{ ...at(loaded.text, 7, '8660h'), path: 'components.modules.unit.mtbf', message: m.expectedDuration('fast') }]);
  });

  it('reports inside a new structure at the original node, or the nearest one the file has', () => {
    const inside = problemsOf(() => withOverride(loaded, 'simulation.precision', { relative_half_width: 'tight' }));
    expect(inside.map(brief)).toEqual([
      { ...at(loaded.text, 5, '2%'), path: 'simulation.precision.relative_half_width', message: m.expectedProbability('tight') },
    ]);
    const outside = problemsOf(() => withOverride(loaded, 'crews', { count: 'two' }));
    expect(outside.map(brief)).toEqual([{ ...at(loaded.text, 2, 'scenario'), path: 'crews.count', message: m.expectedInteger('two') }]);
  });

  it('cannot go through a value that is not a mapping', () => {
    const problems = problemsOf(() => withOverride(loaded, 'scenario.name', 'x'));
    expect(problems.map((p) => [p.path, p.message])).toEqual([['scenario', m.overrideThroughScalar('scenario.name')]]);
  });
});

describe('sweeps', () => {
  const base = 'scenario: s\ncomponents:\n  g: {type: group, redundancy: "1+1", unit: {mtbf: 1000h, mttr: 10h}}\n  it: {type: load, input: g}\n';
  const load = (text: string) => loadScenarioText(text, join(FIXTURES, 'inline.yaml'));

  it('expand a range into its values', () => {
    const { scenario } = load(`${base}sweep: {parameter: components.g.unit.mttr, values: {from: 0.5, to: 1.5, step: 0.25}}\n`);
    expect(scenario.sweep).toEqual({ parameter: 'components.g.unit.mttr', values: [0.5, 0.75, 1, 1.25, 1.5], reference: {} });
  });

  it('need a parameter the file sets', () => {
    const text = `${base}sweep: {parameter: components.g.redundncy, values: ["1", "2"]}\n`;
    const problems = problemsOf(() => load(text));
    expect(problems.map(brief)).toEqual([
      { ...at(text, 5, 'components.g.redundncy'), path: 'sweep.parameter', message: m.sweepPathMissing('components.g.redundncy', 'components.g.redundancy') },
    ]);
  });

  it('validate every point, reporting a bad value at the value', () => {
    const text = `${base}sweep:\n  parameter: components.g.redundancy\n  values: ["1", "banana", "2+1"]\n`;
    const problems = problemsOf(() => load(text));
    const reason = checkRedundancy('banana') ?? '';
    expect(problems.map(brief)).toEqual([
      {
        ...at(text, 7, '"banana"'),
        path: 'sweep.values.1',
        message: m.sweepPoint('components.g.redundancy', 'banana', `components.g.redundancy: ${m.redundancyNotation(reason)}`),
      },
    ]);
  });

  it('validate the points of a range too', () => {
    const text = `${base}sweep: {parameter: components.g.unit.mttr, values: {from: 0, to: 2}}\n`;
    const problems = problemsOf(() => load(text));
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['sweep.values', m.sweepPoint('components.g.unit.mttr', 0, `components.g.unit.mttr: ${m.mustBePositive(0)}`)],
    ]);
  });

  it('warn about reference figures for values not swept', () => {
    const text = `${base}sweep:\n  parameter: components.g.redundancy\n  values: ["1", "1+1"]\n  reference: {paper: {"1": 100, "2+1": 3}}\n`;
    const { warnings } = load(text);
    expect(warnings.map((p) => [p.path, p.message, p.severity])).toEqual([['sweep.reference.paper.2+1', m.sweepReferenceNotSwept('2+1'), 'warning']]);
  });
});

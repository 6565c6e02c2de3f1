/**
 * Units and distributions: what users write becomes hours, kW, fractions and DistSpecs, exactly.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InputError,
  loadScenarioText,
  parseDuration,
  parseDurationText,
  parsePower,
  parseProbability,
  type LoadedScenario,
  type Problem,
} from '../models/scenario/index.js';
import * as m from '../models/scenario/messages.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'scenarios');

function load(text: string): LoadedScenario {
  return loadScenarioText(text, join(FIXTURES, 'inline.yaml'));
}

function problemsOf(text: string): Problem[] {
  try {
    load(text);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** A one-group scenario whose unit repair is `repair` (any distribution text). */
const withRepair = (repair: string) =>
  `scenario: d\ncomponents:\n  g: {type: group, unit: {mtbf: 1000h, repair: ${repair}}}\n  it: {type: load, input: g}\n`;

const repairOf = (repair: string) => {
  const unit = load(withRepair(repair)).scenario.components.g;
  if (unit?.type !== 'group') throw new Error('not a group');
  return unit.unit.repair;
};

describe('durations', () => {
  it.each([
    ['15min', 0.25],
    ['30s', 30 / 3600],
    ['500ms', 500 / 3_600_000],
    ['250000h', 250000],
    ['1.5d', 36],
    ['2w', 336],
    ['1mo', 730],
    ['1y', 8760],
    ['2 y', 17520],
  ])('"%s" is %d hours', (text, hours) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: hours });
  });

  it('a number is hours', () => {
    expect(parseDuration(8)).toEqual({ ok: true, value: 8 });
  });

  it.each(['5 fortnights', '5', 'fast', '5m', 'NaN', 'Infinity', ''])('"%s" is not a duration', (text) => {
    expect(parseDuration(text)).toEqual({ ok: false, reason: 'format' });
  });

  it('negatives are rejected as negative', () => {
    expect(parseDuration(-1)).toEqual({ ok: false, reason: 'negative' });
    expect(parseDuration('-10min')).toEqual({ ok: false, reason: 'negative' });
  });

  it('are converted in a scenario, and bad ones reported with the catalogue message', () => {
    const base = 'scenario: u\ncomponents:\n  g: {type: group, unit: {mtbf: 1000h, mttr: 10h}}\n  it: {type: load, input: g}\n';
    expect(load(`${base}simulation: {horizon: 1mo, warmup: 15min}\n`).scenario.simulation).toMatchObject({ horizon: 730, warmup: 0.25 });
    const cases: Array<[string, string]> = [
      ['"fast"', m.expectedDuration('fast')],
      ['"5 hours"', m.expectedDuration('5 hours', '5h')],
      ['"-2h"', m.mustNotBeNegative()],
      ['-2', m.mustNotBeNegative()],
      ['.nan', m.expectedDuration(Number.NaN)],
      ['.inf', m.expectedDuration(Infinity)],
      ['"12"', m.expectedDuration('12', '12h')],
      ['0', m.mustBePositive(0)],
    ];
    for (const [written, message] of cases) {
      expect([written, problemsOf(`${base}simulation: {horizon: ${written}}\n`).map((p) => [p.path, p.message])]).toEqual([
        written,
        [['simulation.horizon', message]],
      ]);
    }
  });

  it('read from the command line the same way', () => {
    expect(parseDurationText('10y')).toBe(87600);
    expect(parseDurationText('12')).toBe(12);
    expect(parseDurationText('soon')).toBe(m.expectedDuration('soon'));
  });
});

describe('power', () => {
  it('converts W, kW, MW and, with the power factor, kVA and MVA', () => {
    expect(parsePower('2MW', 0.9)).toEqual({ ok: true, value: 2000 });
    expect(parsePower('500W', 0.9)).toEqual({ ok: true, value: 0.5 });
    expect(parsePower('100kVA', 0.8)).toEqual({ ok: true, value: 80 });
    expect(parsePower('10kVA', 0.9)).toEqual({ ok: true, value: 9 });
    expect(parsePower(750, 0.9)).toEqual({ ok: true, value: 750 });
    expect(parsePower('5 horsepower', 0.9)).toEqual({ ok: false, reason: 'format' });
  });

  it('reads power_factor from the file before converting its kVA', () => {
    const text = 'scenario: p\npower_factor: 0.8\ncomponents:\n  g: {type: group, unit: {capacity: 1MVA}}\n  it: {type: load, power: 100kVA, input: g}\n';
    const { scenario } = load(text);
    expect(scenario.components.it).toMatchObject({ power: 80 });
    expect(scenario.components.g).toMatchObject({ unit: { capacity: 800 } });
  });

  it('defaults the power factor to 0.9', () => {
    const { scenario } = load('scenario: p\ncomponents:\n  g: {type: group, unit: {capacity: 10kVA}}\n  it: {type: load, power: 2MW, input: g}\n');
    expect(scenario.components.g).toMatchObject({ unit: { capacity: 9 } });
    expect(scenario.components.it).toMatchObject({ power: 2000 });
  });

  it('hints at the unit when only its letter case is wrong', () => {
    const problems = problemsOf('scenario: p\ncomponents:\n  g: {type: group, unit: {capacity: 500kw}}\n');
    expect(problems.map((p) => p.message)).toEqual([m.expectedPower('500kw', '500kW')]);
  });
});

describe('probabilities', () => {
  it('accept fractions and percent strings', () => {
    expect(parseProbability('1%')).toEqual({ ok: true, value: 0.01 });
    expect(parseProbability('0.1%')).toEqual({ ok: true, value: 0.001 });
    expect(parseProbability(0.25)).toEqual({ ok: true, value: 0.25 });
    expect(parseProbability('150%')).toEqual({ ok: false, reason: 'range' });
  });

  it('are checked in a scenario', () => {
    const text = (beta: string) => `scenario: c\ncomponents:\n  g: {type: group, unit: {mtbf: 1h}}\ncommon_cause: [{group: [g], beta: ${beta}}]\n`;
    expect(load(text('"5%"')).scenario.common_cause).toEqual([{ group: ['g'], beta: 0.05 }]);
    expect(problemsOf(text('1.5')).map((p) => [p.path, p.message])).toEqual([['common_cause.0.beta', m.probabilityRange(1.5)]]);
    expect(problemsOf(text('often')).map((p) => p.message)).toEqual([m.expectedProbability('often')]);
  });
});

describe('distributions', () => {
  it('a duration is fixed', () => {
    expect(repairOf('8h')).toEqual({ kind: 'fixed', value: 8 });
  });

  it('mtbf and mttr are exponential with that mean', () => {
    const { scenario } = load('scenario: s\ncomponents:\n  g: {type: group, unit: {mtbf: 250000h, mttr: 6h}}\n');
    expect(scenario.components.g).toEqual({
      type: 'group',
      redundancy: 'N',
      shared: false,
      unit: { failure: { kind: 'exponential', mean: 250000 }, repair: { kind: 'exponential', mean: 6 } },
    });
  });

  it('mtbf together with failure is an error at the second', () => {
    const text = 'scenario: s\ncomponents:\n  g: {type: group, unit: {mtbf: 1000h, failure: {exponential: 1000h}}}\n';
    expect(problemsOf(text).map((p) => [p.path, p.message])).toEqual([['components.g.unit.failure', m.eitherNotBoth('mtbf', 'failure')]]);
  });

  it('every documented form becomes its DistSpec', () => {
    expect(repairOf('{exponential: 8h}')).toEqual({ kind: 'exponential', mean: 8 });
    expect(repairOf('{weibull: {shape: 1.5, scale: 40000h}}')).toEqual({ kind: 'weibull', shape: 1.5, scale: 40000 });
    expect(repairOf('{lognormal: {median: 6h, sigma: 0.8}}')).toEqual({ kind: 'lognormal', median: 6, sigma: 0.8 });
    expect(repairOf('{normal: {mean: 4h, sd: 1h}}')).toEqual({ kind: 'normal', mean: 4, sd: 1 });
    expect(repairOf('{gamma: {shape: 2, scale: 3h}}')).toEqual({ kind: 'gamma', shape: 2, scale: 3 });
    expect(repairOf('{uniform: ["10min", "90min"]}')).toEqual({ kind: 'uniform', low: 10 / 60, high: 1.5 });
    expect(repairOf('{empirical: ["1h", "2h", "2h", "5h"]}')).toEqual({ kind: 'empirical', values: [1, 2, 2, 5] });
  });

  it('lognormal given by its mean gets the median mean * exp(-sigma^2 / 2)', () => {
    expect(repairOf('{lognormal: {mean: 6h, sigma: 0.8}}')).toEqual({ kind: 'lognormal', median: 6 * Math.exp(-0.32), sigma: 0.8 });
  });

  it('lognormal takes median or mean, not both', () => {
    expect(problemsOf(withRepair('{lognormal: {median: 6h, mean: 7h, sigma: 0.8}}')).map((p) => [p.path, p.message])).toEqual([
      ['components.g.unit.repair.lognormal.mean', m.exactlyOneOf(['median', 'mean'])],
    ]);
  });

  it('empirical files are read relative to the scenario, in the unit their header names', () => {
    expect(repairOf('{empirical: {file: data/repairs.csv}}')).toEqual({ kind: 'empirical', values: [0.5, 1.5, 0.75, 2] });
  });

  it('an unknown distribution name gets a hint', () => {
    expect(problemsOf(withRepair('{exponentiel: 8h}')).map((p) => [p.path, p.message])).toEqual([
      ['components.g.unit.repair.exponentiel', m.unknownKey('exponentiel', 'exponential', [])],
    ]);
  });

  it('two distributions at once are an error', () => {
    expect(problemsOf(withRepair('{exponential: 8h, gamma: {shape: 2, scale: 3h}}')).map((p) => [p.path, p.message])).toEqual([
      ['components.g.unit.repair.gamma', m.exactlyOneOf(['exponential', 'weibull', 'lognormal', 'normal', 'gamma', 'uniform', 'empirical'])],
    ]);
  });

  it('a bad parameter is reported at the parameter', () => {
    expect(problemsOf(withRepair('{weibull: {shape: 1.5, scale: "40000 years"}}')).map((p) => [p.path, p.message])).toEqual([
      ['components.g.unit.repair.weibull.scale', m.expectedDuration('40000 years', '40000y')],
    ]);
    expect(problemsOf(withRepair('{uniform: ["2h", "1h"]}')).map((p) => [p.path, p.message])).toEqual([
      ['components.g.unit.repair.uniform', m.uniformOrder(2, 1)],
    ]);
  });

  it('anything else says what a distribution looks like', () => {
    expect(problemsOf(withRepair('true')).map((p) => [p.path, p.message])).toEqual([['components.g.unit.repair', m.expectedDistribution(true)]]);
  });
});

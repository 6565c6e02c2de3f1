import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAll, prepareAll } from '../cli/commands.js';
import { exactCommand } from '../cli/exact.js';
import { buildChain, ExactRefusal, exactMessages, exactSteadyState } from '../models/exact/ctmc.js';
import { generatorFromTriplets, residualOf, solveGth, solveIterative } from '../models/exact/solve.js';
import { HOURS_PER_YEAR, kOfNCrews, kOfNIndependent } from '../models/exact.js';
import { InputError } from '../models/scenario/index.js';
import type { FacilitySpec, NodeSpec, UpsNodeSpec } from '../models/facility/spec.js';
import { kOfNFacility } from '../models/facility/spec.js';
import { Streams } from '../sim/rng.js';

/** |actual - expected| <= tol * |expected|. */
function expectRelative(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.abs(expected));
}

const exp = (mean: number) => ({ kind: 'exponential' as const, mean });

describe('GTH and Gauss-Seidel solvers', () => {
  it('GTH gives the hand-computed stationary vector of a 3-state chain', () => {
    // 0 -> 1 rate 1, 1 -> 2 rate 2, 2 -> 0 rate 3, 1 -> 0 rate 4.
    // Balance: pi1 (2 + 4) = pi0; pi2 3 = 2 pi1; so pi = (6, 1, 2/3) / (23/3) = (18, 3, 2) / 23.
    const q = generatorFromTriplets(3, [0, 1, 2, 1], [1, 2, 0, 0], [1, 2, 3, 4]);
    const s = solveGth(q);
    [18 / 23, 3 / 23, 2 / 23].forEach((p, i) => expectRelative(s.pi[i]!, p, 1e-15));
    expect(s.residual.relative).toBeLessThan(1e-14);
  });

  it('GTH keeps full relative accuracy on a stiff birth-death chain (rates 1e-6 next to 1)', () => {
    // pi_j proportional to (lambda / mu)^j = 1e-6^j: the last state is 1e-30.
    const n = 6;
    const from: number[] = [];
    const to: number[] = [];
    const rate: number[] = [];
    for (let j = 0; j + 1 < n; j++) {
      from.push(j, j + 1);
      to.push(j + 1, j);
      rate.push(1e-6, 1);
    }
    const s = solveGth(generatorFromTriplets(n, from, to, rate));
    let total = 0;
    for (let j = 0; j < n; j++) total += 1e-6 ** j;
    for (let j = 0; j < n; j++) expectRelative(s.pi[j]!, 1e-6 ** j / total, 1e-13);
  });

  it('Gauss-Seidel agrees with GTH on a random 300-state chain to 1e-12', () => {
    const stream = new Streams('exact-ctmc', 0).get('random-chain');
    const n = 300;
    const from: number[] = [];
    const to: number[] = [];
    const rate: number[] = [];
    for (let i = 0; i < n; i++) {
      // A cycle through every state makes the chain irreducible.
      from.push(i);
      to.push((i + 1) % n);
      rate.push(stream.uniform());
      for (let e = 0; e < 5; e++) {
        const j = Math.floor(stream.uniform() * n) % n;
        from.push(i);
        to.push(j);
        rate.push(stream.uniform() * 10);
      }
    }
    const q = generatorFromTriplets(n, from, to, rate);
    const gth = solveGth(q);
    const gs = solveIterative(q, { tolerance: 1e-15, maxIterations: 100_000 });
    expect(gs.converged).toBe(true);
    for (let i = 0; i < n; i++) expectRelative(gs.pi[i]!, gth.pi[i]!, 1e-12);
    expect(residualOf(q, gth.pi).relative).toBeLessThan(1e-12);
    expect(gs.residual.relative).toBeLessThan(1e-12);
  });
});

describe('k-out-of-n groups against the closed forms of models/exact.ts', () => {
  const k = { n: 3, k: 2, mtbf: 2000, mttr: 50 };

  it('2 of 3 with independent repair: unavailability and failure frequency', () => {
    const r = exactSteadyState(kOfNFacility(3, 2, 2000, 50));
    const c = kOfNIndependent(k);
    expectRelative(r.unavailability, c.unavailability, 1e-9);
    expectRelative(r.downtimeHoursPerYear, c.downtimeHoursPerYear, 1e-9);
    expectRelative(r.failuresPerYear, c.failuresPerYear, 1e-9);
    // Birth-death by hand: rate of entering "2 down" = P(1 down) * 2 / MTBF, P(1 down) = 3 q p^2.
    const q = 50 / 2050;
    const p = 2000 / 2050;
    expectRelative(r.failuresPerYear, 3 * q * p * p * (2 / 2000) * HOURS_PER_YEAR, 1e-9);
    expectRelative(r.unavailability, 3 * q * q * p + q ** 3, 1e-9);
    expect(r.method).toBe('gth');
  });

  it.each([1, 2])('2 of 3 with %i shared crew(s), lumped and unlumped (FIFO order of named units)', (crews) => {
    const c = kOfNCrews({ ...k, crews });
    for (const lump of [true, false]) {
      const r = exactSteadyState(kOfNFacility(3, 2, 2000, 50, crews), { lump });
      expectRelative(r.unavailability, c.unavailability, 1e-9);
      expectRelative(r.failuresPerYear, c.failuresPerYear, 1e-9);
    }
    // Named units with one crew: every order of failed units is a state (1 + 3 + 6 + 6 = 16).
    expect(buildChain(kOfNFacility(3, 2, 2000, 50, crews), { lump: false }).generator.n).toBe(crews === 1 ? 16 : 1 + 3 + 3 + 3);
  });

  it('one crew, two different units: the order of the queue matters (hand-solved 5-state chain)', () => {
    const a = 1 / 1000;
    const b = 1 / 3000;
    const alpha = 1 / 10;
    const beta = 1 / 40;
    const f: FacilitySpec = {
      nodes: [
        {
          kind: 'group',
          name: 'g',
          component: 'g',
          carriedKw: 0,
          needed: 1,
          units: [
            { name: 'g.1', failure: exp(1 / a), repair: exp(1 / alpha) },
            { name: 'g.2', failure: exp(1 / b), repair: exp(1 / beta) },
          ],
        },
      ],
      loads: [{ name: 'it', powerKw: null, cords: ['g'], cooling: null, recovery: null }],
      crews: { count: 1, logisticsDelay: null },
    };
    // States {}, [A], [B], [A,B] (A in repair), [B,A]: pi3 = pi1 b / alpha, pi4 = pi2 a / beta,
    // pi1 = pi0 a (a + b + beta) / det, pi2 = pi0 b (a + b + alpha) / det, det = alpha beta + alpha a + b beta.
    const det = alpha * beta + alpha * a + b * beta;
    const p1 = (a * (a + b + beta)) / det;
    const p2 = (b * (a + b + alpha)) / det;
    const p3 = (p1 * b) / alpha;
    const p4 = (p2 * a) / beta;
    const total = 1 + p1 + p2 + p3 + p4;
    const r = exactSteadyState(f);
    expect(r.states).toBe(5);
    expectRelative(r.unavailability, (p3 + p4) / total, 1e-12);
    expectRelative(r.failuresPerYear, ((p1 * b + p2 * a) / total) * HOURS_PER_YEAR, 1e-12);
    // With independent repair the units are independent: the product of their unavailabilities.
    const independent = exactSteadyState({ ...f, crews: { count: Infinity, logisticsDelay: null } });
    expectRelative(independent.unavailability, (a / (a + alpha)) * (b / (b + beta)), 1e-12);
  });
});

/** A single UPS module fed by a never-failing source, static bypass on a utility (1000 h / 2 h). */
function singleUps(staticTransferFail: number, extra: Partial<UpsNodeSpec> = {}): FacilitySpec {
  const ups: UpsNodeSpec = {
    kind: 'ups',
    name: 'ups',
    component: 'ups',
    carriedKw: 100,
    inputs: ['mains'],
    bypass: 'grid',
    topology: 'parallel',
    needed: 1,
    capacityKw: 100,
    units: [{ name: 'ups.1', failure: exp(100_000), repair: exp(12) }],
    loadDetection: true,
    battery: null,
    staticTransferFail,
    bypassPoorQualityIsDown: false,
    severeFraction: 0,
    maintenanceBypass: false,
    ...extra,
  };
  const nodes: NodeSpec[] = [
    { kind: 'group', name: 'mains', component: 'mains', carriedKw: 100, needed: 1, units: [{ name: 'mains.1', failure: null, repair: null }] },
    { kind: 'utility', name: 'grid', component: 'grid', carriedKw: 100, outages: { between: exp(1000), duration: exp(2) }, poorQuality: null },
    ups,
  ];
  return { nodes, loads: [{ name: 'it', powerKw: 100, cords: ['ups'], cooling: null, recovery: null }], crews: { count: Infinity, logisticsDelay: null } };
}

describe('a single UPS module with a static bypass on a utility', () => {
  const q = 12 / 100_012; // module down (alternating renewal)
  const u = 2 / 1002; // bypass utility in an outage
  const lm = 1 / 100_000;
  const lu = 1 / 1000;

  it('perfect transfer: lost only while the module is down and the bypass is out, U = q u = 2.395e-7', () => {
    // Module and utility are independent and the load is powered unless both are down.
    const r = exactSteadyState(singleUps(0));
    expectRelative(r.unavailability, q * u, 1e-9);
    expect(r.unavailability.toPrecision(4)).toBe('2.395e-7');
    // Entries into loss: the module fails while the utility is out, or the utility goes out
    // while the module is down.
    expectRelative(r.failuresPerYear, ((1 - q) * lm * u + q * (1 - u) * lu) * HOURS_PER_YEAR, 1e-9);
    expect(r.residual.relative).toBeLessThan(1e-12);
  });

  it.each([0.001, 0.1, 1])('static transfer fails with p = %s: U = q (p + (1 - p) u)', (p) => {
    // At each module failure the transfer fails with probability p, independent of the utility;
    // the dropped state is left only when the module is repaired, so the whole repair time is
    // lost; otherwise the load is on bypass and lost while the (stationary, independent) utility
    // is out.
    const r = exactSteadyState(singleUps(p));
    expectRelative(r.unavailability, q * (p + (1 - p) * u), 1e-9);
    expectRelative(r.failuresPerYear, ((1 - q) * lm * (p + (1 - p) * u) + q * (1 - p) * (1 - u) * lu) * HOURS_PER_YEAR, 1e-9);
  });

  it('a utility with no outages as the input gives the same answer as a never-failing group', () => {
    const f = singleUps(0.01);
    f.nodes[0] = { kind: 'utility', name: 'mains', component: 'mains', carriedKw: 100, outages: null, poorQuality: null };
    expectRelative(exactSteadyState(f).unavailability, q * (0.01 + 0.99 * u), 1e-9);
  });
});

describe('refusals name the component and the key', () => {
  it('a Weibull failure', () => {
    const f = kOfNFacility(3, 2, 2000, 50);
    (f.nodes[0] as { units: Array<{ failure: unknown }> }).units[1]!.failure = { kind: 'weibull', shape: 1.5, scale: 2000 };
    expect(() => buildChain(f)).toThrow(ExactRefusal);
    try {
      buildChain(f);
    } catch (e) {
      expect((e as ExactRefusal).refusals).toEqual([{ path: 'components.g.unit.failure', message: exactMessages.notExponential('weibull') }]);
      expect((e as ExactRefusal).message).toBe(
        'components.g.unit.failure: weibull is not exponential; resim exact needs exponential failure, repair, outage and quality processes',
      );
    }
  });

  it('a battery, a recovery time and a logistics delay, all reported at once', () => {
    const f = singleUps(0, {
      battery: { autonomy: 0.2, shared: false, recharge: 8, fadePerYear: 0, ageHours: 0, health: null, replaceEvery: null, failure: null, repair: null },
    });
    f.loads[0]!.recovery = exp(0.5);
    f.crews = { count: 1, logisticsDelay: exp(2) };
    try {
      buildChain(f);
      expect.unreachable();
    } catch (e) {
      expect((e as ExactRefusal).refusals).toEqual([
        { path: 'components.ups.battery', message: exactMessages.battery() },
        { path: 'components.it.recovery', message: exactMessages.recovery() },
        { path: 'crews.logistics_delay', message: exactMessages.logistics() },
      ]);
    }
  });

  it('a chain over the state limit, with the count it would need at least', () => {
    // 18 independent one-unit elements in parallel: 2^18 = 262,144 states at least.
    const nodes: NodeSpec[] = [{ kind: 'utility', name: 'grid', component: 'grid', carriedKw: 0, outages: null, poorQuality: null }];
    for (let i = 1; i <= 18; i++) nodes.push({ kind: 'distribution', name: `pdu${i}`, component: `pdu${i}`, carriedKw: 0, inputs: ['grid'], failure: exp(1e5), repair: exp(5) });
    const f: FacilitySpec = { nodes, loads: [{ name: 'it', powerKw: null, cords: nodes.slice(1).map((n) => n.name), cooling: null, recovery: null }], crews: { count: Infinity, logisticsDelay: null } };
    expect(() => buildChain(f)).toThrow(exactMessages.tooManyStates(200_000, 262_144));
    expect(exactMessages.tooManyStates(200_000, 262_144)).toContain('at least 262,144 states');
    // Generation itself stops at a (smaller) limit and says so.
    expect(() => buildChain(singleUps(0.1), { maxStates: 4 })).toThrow(exactMessages.tooManyStates(4, null));
  });
});

describe('resim exact FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'resim-exact-'));
  const capture = () => {
    let text = '';
    return { write: (s: string) => (text += s), get text() { return text; } };
  };

  it('prints the figures and the residual for a 2-of-3 group (and --json)', () => {
    const file = join(dir, 'k-of-n.yaml');
    writeFileSync(
      file,
      ['scenario: two-of-three', 'components:', '  modules: {type: group, redundancy: "2+1", unit: {mtbf: 2000h, mttr: 50h}}', '  it: {type: load, input: modules}', 'crews: {count: 1}', ''].join('\n'),
    );
    const c = kOfNCrews({ n: 3, k: 2, mtbf: 2000, mttr: 50, crews: 1 });
    const out = capture();
    expect(exactCommand(file, {}, out, capture())).toBe(0);
    expect(out.text).toContain('two-of-three: exact steady state of a Markov chain with 4 states and 6 transitions, solved by GTH state reduction');
    expect(out.text).toMatch(/downtime_hours\s+h\/yr\s+\S+/);
    expect(out.text).toContain('residual: max |pi Q|');
    const json = capture();
    exactCommand(file, { json: true }, json, capture());
    const parsed = JSON.parse(json.text) as { metrics: Record<string, { value: number }>; chain: { method: string; states: number } };
    expectRelative(parsed.metrics.unavailability!.value, c.unavailability, 1e-9);
    expectRelative(parsed.metrics.incidents!.value, c.failuresPerYear, 1e-9);
    expect(parsed.chain).toMatchObject({ method: 'gth', states: 4 });
  });

  it('Gauss-Seidel agrees with GTH on a 2(N+1) UPS chain with one crew (about 3,000 states, U near 3e-10)', () => {
    const file = join(dir, 'ups-2n1.yaml');
    writeFileSync(
      file,
      [
        'scenario: ups-2n1',
        'components:',
        '  grid: {type: utility, outages: {between: {exponential: 2000h}, duration: {exponential: 2h}}}',
        '  mains: {type: utility}',
        '  ups: {type: ups, input: mains, bypass: grid, topology: parallel, redundancy: "2(N+1)",',
        '        unit: {capacity: 500kW, mtbf: 250000h, mttr: 8h}, static_transfer: {fail: 1%}}',
        '  pdu: {type: distribution, input: ups, mtbf: 500000h, mttr: 6h}',
        '  it: {type: load, power: 400kW, input: pdu}',
        'crews: {count: 1}',
        '',
      ].join('\n'),
    );
    const [loaded] = loadAll([file]);
    const prepared = prepareAll([loaded!], {})[0]!;
    if (prepared.kind !== 'study') throw new Error('expected a single study');
    const f = prepared.study.config.facility;
    const gth = exactSteadyState(f, { gthLimit: 10_000 });
    const gs = exactSteadyState(f, { gthLimit: 0 });
    expect(gth.method).toBe('gth');
    expect(gs.method).toBe('gauss-seidel');
    expect(gs.converged).toBe(true);
    expect(gth.states).toBeGreaterThan(2000);
    expect(gth.unavailability).toBeGreaterThan(1e-10);
    expect(gth.unavailability).toBeLessThan(1e-9);
    expectRelative(gs.unavailability, gth.unavailability, 1e-12);
    expectRelative(gs.failuresPerYear, gth.failuresPerYear, 1e-12);
  });

  it('refuses a Weibull model with the file, line and key of the component', () => {
    const file = join(dir, 'weibull.yaml');
    writeFileSync(
      file,
      [
        'scenario: weibull',
        'components:',
        '  modules:',
        '    type: group',
        '    redundancy: "2+1"',
        '    unit: {failure: {weibull: {shape: 1.5, scale: 2000h}}, mttr: 50h}',
        '  it: {type: load, input: modules}',
        '',
      ].join('\n'),
    );
    try {
      exactCommand(file, {}, capture(), capture());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const p = (e as InputError).problems[0]!;
      expect(p).toMatchObject({ line: 6, path: 'components.modules.unit.failure', message: exactMessages.notExponential('weibull') });
    }
  });
});

/**
 * The facility model against closed forms (METHODS.md "Exact answers to test against").
 *
 * Each check is seeded, so it is deterministic; the false-failure rate stated with each is the
 * probability that a correct simulator fails it at an arbitrary seed.
 */
import { describe, expect, it } from 'vitest';
import { normalQuantile, summarize } from '../sim/stats.js';
import { kOfNCrews, kOfNIndependent } from '../models/exact.js';
import { exactFigures } from '../models/facility/exact.js';
import { kOfNFacility, type FacilitySpec, type StudyConfig } from '../models/facility/spec.js';
import { COLUMN } from '../models/metrics.js';
import { createReplicator } from '../models/study.js';

function study(facility: FacilitySpec, seed: string, horizonHours: number, warmupHours: number): StudyConfig {
  return { scenario: 't', seed, horizonHours, warmupHours, downtimeCostPerHour: null, facility, cluster: null, recordJobs: false, maxEvents: Infinity };
}

/** Per-replication unavailability of `replications` replications. */
function unavailability(config: StudyConfig, replications: number): Float64Array {
  const replicate = createReplicator(config);
  const u = new Float64Array(replications);
  for (let r = 0; r < replications; r++) u[r] = replicate(r).values[COLUMN.unavailability]!;
  return u;
}

describe('k-out-of-n group against exact steady-state values', () => {
  // Horizon 2000 x MTTR and a warm-up of 20 x MTTR: the all-up start biases unavailability low by
  // about 1.5 MTTR / horizon, far below the interval width here.
  const mtbf = 2000;
  const mttr = 50;
  const horizon = 100_000;
  const warmup = 1_000;
  // 99.9% two-sided: false-failure rate 1e-3 per check.
  const z999 = normalQuantile(0.9995);

  it('2+1 with independent repair: the interval contains the binomial value', () => {
    const exact = kOfNIndependent({ n: 3, k: 2, mtbf, mttr }).unavailability;
    const s = summarize(unavailability(study(kOfNFacility(3, 2, mtbf, mttr), 'oracle-2of3', horizon, warmup), 300));
    const se = s.std / Math.sqrt(s.n);
    console.log(`2+1 independent: exact ${exact.toExponential(4)}, simulated ${s.mean.toExponential(4)} 95% CI [${s.ciLow.toExponential(4)}, ${s.ciHigh.toExponential(4)}]`);
    expect(Math.abs(s.mean - exact)).toBeLessThan(z999 * se);
    // The interval must also be informative: relative half-width under 10%.
    expect(s.halfWidth / s.mean).toBeLessThan(0.1);
  });

  it('2+1 with one shared crew: the interval contains the birth-death chain value, and differs from independent repair', () => {
    const exact = kOfNCrews({ n: 3, k: 2, mtbf, mttr, crews: 1 }).unavailability;
    const independent = kOfNIndependent({ n: 3, k: 2, mtbf, mttr }).unavailability;
    const s = summarize(unavailability(study(kOfNFacility(3, 2, mtbf, mttr, 1), 'oracle-crew', horizon, warmup), 300));
    const se = s.std / Math.sqrt(s.n);
    console.log(`2+1 one crew: exact ${exact.toExponential(4)}, simulated ${s.mean.toExponential(4)} 95% CI [${s.ciLow.toExponential(4)}, ${s.ciHigh.toExponential(4)}]`);
    expect(Math.abs(s.mean - exact)).toBeLessThan(z999 * se);
    // One crew makes double failures last longer: the simulation must tell the two apart.
    expect(Math.abs(s.mean - independent)).toBeGreaterThan(z999 * se);
  });

  it('exactFigures picks the right oracle for the expanded facility', () => {
    expect(exactFigures(kOfNFacility(3, 2, mtbf, mttr))!.unavailability).toBe(kOfNIndependent({ n: 3, k: 2, mtbf, mttr }).unavailability);
    expect(exactFigures(kOfNFacility(3, 2, mtbf, mttr, 1))!.unavailability).toBe(kOfNCrews({ n: 3, k: 2, mtbf, mttr, crews: 1 }).unavailability);
  });
});

describe('confidence interval coverage', () => {
  // METHODS.md: over 200 seeded runs the 95% interval should contain the exact value about 190
  // times; fewer than 180 or more than 197 happens by chance about 0.4% of the time.
  it('the 95% interval of a 1+1 pair covers the exact unavailability in 180-197 of 200 runs', () => {
    const mtbf = 1000;
    const mttr = 20;
    const exact = kOfNIndependent({ n: 2, k: 1, mtbf, mttr }).unavailability;
    let covered = 0;
    for (let run = 0; run < 200; run++) {
      const s = summarize(unavailability(study(kOfNFacility(2, 1, mtbf, mttr), `coverage-${run}`, 200_000, 500), 40));
      if (s.ciLow <= exact && exact <= s.ciHigh) covered++;
    }
    console.log(`coverage: ${covered} of 200 runs`);
    expect(covered).toBeGreaterThanOrEqual(180);
    expect(covered).toBeLessThanOrEqual(197);
  });
});

describe('service recovery and incidents', () => {
  it('a load with a fixed recovery of 2 h adds exactly 2 h to every incident', () => {
    const base = kOfNFacility(2, 1, 500, 10);
    const withRecovery: FacilitySpec = { ...base, loads: [{ ...base.loads[0]!, recovery: { kind: 'fixed', value: 2 } }] };
    const a = createReplicator(study(base, 'rec', 200_000, 0))(0);
    const b = createReplicator(study(withRecovery, 'rec', 200_000, 0))(0);
    // Same streams for the same units (common random numbers): the same power losses happen.
    const incA = (a.extra as { incidents: Array<{ start: number; end: number }> }).incidents;
    const incB = (b.extra as { incidents: Array<{ start: number; end: number }> }).incidents;
    expect(incA.length).toBeGreaterThan(5);
    expect(incB.map((i) => i.start)).toEqual(incA.map((i) => i.start));
    incB.forEach((inc, i) => expect(inc.end - inc.start).toBeCloseTo(incA[i]!.end - incA[i]!.start + 2, 9));
  });
});

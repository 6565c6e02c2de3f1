/**
 * Rare-event benchmark (`npm run bench`, issue 6): the time to a +-10% relative half-width at 95%
 * on scenarios/rare-2n-ups.yaml (a 2N UPS whose two static bypasses share one utility;
 * unavailability 6.4e-10), by importance sampling and by crude Monte Carlo, measured in the same
 * run.
 *
 * - Importance sampling runs to the target (pilot runs included) and its interval is checked
 *   against `resim exact`.
 * - Crude Monte Carlo (the discrete-event engine, one thread) runs for a fixed budget and is
 *   extrapolated from there: the replications the target needs are (z s / (0.1 U))^2, with s the
 *   standard deviation of one replication's unavailability, U the exact value, and the seconds per
 *   replication measured. When the budget saw fewer than 20 losses, s is not trusted and the
 *   variance comes instead from the exact loss frequency nu and mean loss duration d (Poisson
 *   losses of roughly exponential length: Var = 2 nu d^2 / H for one replication of H hours);
 *   the figure says which.
 */
import { normalQuantile } from '../sim/stats.js';
import { exactSteadyState } from '../models/exact/ctmc.js';
import { expandFacility, type FacilityInput } from '../models/facility/expand.js';
import { importanceSampling } from '../models/rare/importance.js';
import { loadScenarioFile } from '../models/scenario/index.js';
import { createReplicator } from '../models/study.js';
import { COLUMN } from '../models/metrics.js';

const CRUDE_BUDGET_SECONDS = Number(process.env.RESIM_BENCH_CRUDE_SECONDS ?? 20);
const HORIZON_YEARS = 100;
const TARGET = 0.1;

const loaded = loadScenarioFile(new URL('../../scenarios/rare-2n-ups.yaml', import.meta.url).pathname);
const { facility } = expandFacility(loaded.scenario as unknown as FacilityInput);
const exact = exactSteadyState(facility);
const z = normalQuantile(0.975);

// ---- importance sampling ------------------------------------------------------------------
const is = importanceSampling(facility, { seed: 'bench', relativeHalfWidth: TARGET });
const covered = is.unavailability.low <= exact.unavailability && exact.unavailability <= is.unavailability.high;

// ---- crude Monte Carlo for a fixed budget --------------------------------------------------
const horizonHours = HORIZON_YEARS * 8760;
const replicate = createReplicator({
  scenario: 'rare-2n-ups',
  seed: 'bench',
  horizonHours,
  warmupHours: 0,
  downtimeCostPerHour: null,
  facility,
  cluster: null,
  recordJobs: false,
  maxEvents: Infinity,
});
for (let r = 0; r < 200; r++) replicate(1_000_000 + r); // warm-up (other streams)
let n = 0;
let sum = 0;
let sumSq = 0;
let losses = 0;
let events = 0;
const t0 = performance.now();
while (performance.now() - t0 < CRUDE_BUDGET_SECONDS * 1000) {
  for (let k = 0; k < 100; k++) {
    const res = replicate(n++);
    const u = res.values[COLUMN.unavailability]!;
    sum += u;
    sumSq += u * u;
    losses += res.values[COLUMN.raw_incidents]!;
    events += res.events;
  }
}
const crudeSeconds = (performance.now() - t0) / 1000;
const perReplication = crudeSeconds / n;
const mean = sum / n;
const observedVar = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
const nu = exact.failuresPerYear / 8760;
const modelVar = (2 * nu * exact.mttrHours ** 2) / horizonHours;
const trusted = losses >= 20;
const variance = trusted ? observedVar : modelVar;
const needed = (z * Math.sqrt(variance)) ** 2 / (TARGET * exact.unavailability) ** 2;
const crudeToTarget = needed * perReplication;

const f = (x: number) => x.toExponential(3);
const out = process.stdout;
out.write(`resim rare-event benchmark (node ${process.version}): scenarios/rare-2n-ups.yaml, target +-${TARGET * 100}% at 95%\n`);
out.write(`    exact (resim exact): unavailability ${f(exact.unavailability)}, ${f(exact.failuresPerYear)} losses/yr, mean loss ${exact.mttrHours.toFixed(3)} h\n`);
out.write(
  `    importance sampling: ${f(is.unavailability.mean)} [${f(is.unavailability.low)}, ${f(is.unavailability.high)}] (+-${(100 * is.unavailability.relativeHalfWidth).toFixed(1)}%, ` +
    `${covered ? 'contains' : 'MISSES'} the exact value) in ${is.seconds.toFixed(2)} s: ${is.cycles.toLocaleString('en-US')} biased + ${is.crudeCycles.toLocaleString('en-US')} crude cycles, ` +
    `biasing ${is.biasing} (pilot), ${is.statesVisited} states visited\n`,
);
out.write(
  `    crude Monte Carlo: ${n.toLocaleString('en-US')} replications of ${HORIZON_YEARS} y (${(n * HORIZON_YEARS).toExponential(2)} years, ${events.toLocaleString('en-US')} events) in ${crudeSeconds.toFixed(1)} s saw ${losses} losses; ` +
    `estimate ${f(mean)}\n`,
);
out.write(
  `    crude to +-${TARGET * 100}%: ${needed.toExponential(2)} replications x ${(perReplication * 1e3).toFixed(3)} ms = ${crudeToTarget.toExponential(2)} s (${(crudeToTarget / 86400).toFixed(1)} days), ` +
    `extrapolated from ${trusted ? 'the observed variance' : `the exact loss frequency and duration (only ${losses} losses seen, too few to trust their variance)`}\n`,
);
out.write(
  `(e) rare event: importance ${is.seconds.toFixed(2)} s (acceptance: < 60 s) vs crude ${crudeToTarget.toExponential(2)} s: ${(crudeToTarget / is.seconds).toExponential(2)} x faster (acceptance: >= 100 x)\n`,
);

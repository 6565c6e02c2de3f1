/**
 * `resim exact FILE [--json]`: the exact steady state of an all-exponential facility.
 *
 *   scenario file ──load──> ──prepare──> FacilitySpec ──buildChain──> CTMC ──solve──> figures ──print
 *
 * A facility outside the Markov model is refused (exit 2) with every reason, each located at the
 * scenario key that causes it; a sweep gives one answer per point.
 */
import { ExactRefusal, exactSteadyState, type ExactResult } from '../models/exact/ctmc.js';
import { InputError, problemAt, type LoadedScenario } from '../models/scenario/index.js';
import { shortNumber } from '../reports/format.js';
import { colorEnabled, renderTable } from '../reports/table.js';
import { loadAll, prepareAll, printWarnings } from './commands.js';
import type { Study } from './pipeline.js';

export interface ExactArgs {
  json?: boolean;
}

/** Where the command writes (stdout by default; tests pass a collector). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export const exactText = {
  header: (scenario: string, r: ExactResult) =>
    `${scenario}: exact steady state of a Markov chain with ${r.states.toLocaleString('en-US')} states and ${r.transitions.toLocaleString('en-US')} transitions, ` +
    `solved by ${r.method === 'gth' ? 'GTH state reduction' : `Gauss-Seidel in ${r.iterations.toLocaleString('en-US')} sweeps`}`,
  residual: (r: ExactResult) =>
    `residual: max |pi Q| = ${r.residual.absolute.toExponential(2)} per hour; each state's balance holds to ${r.residual.relative.toExponential(2)} relative`,
  notConverged: (r: ExactResult) =>
    `note: Gauss-Seidel stopped after ${r.iterations.toLocaleString('en-US')} sweeps without converging; trust the figures only as far as the residual allows`,
};

/** Rows of the table and keys of the JSON object: metric names as in summary.csv. */
export const EXACT_METRICS = [
  { metric: 'unavailability', unit: 'fraction', value: (r: ExactResult) => r.unavailability },
  { metric: 'availability', unit: 'fraction', value: (r: ExactResult) => r.availability },
  { metric: 'downtime_hours', unit: 'h/yr', value: (r: ExactResult) => r.downtimeHoursPerYear },
  { metric: 'incidents', unit: '1/yr', value: (r: ExactResult) => r.failuresPerYear },
  { metric: 'mtbf_hours', unit: 'h', value: (r: ExactResult) => r.mtbfHours },
  { metric: 'mttr_hours', unit: 'h', value: (r: ExactResult) => r.mttrHours },
] as const;

export function exactCommand(file: string, args: ExactArgs = {}, out: Output = process.stdout, err: Output = process.stderr): number {
  const [loaded] = loadAll([file]);
  const prepared = prepareAll([loaded!], {})[0]!;
  printWarnings([prepared]);
  const studies: Study[] = prepared.kind === 'study' ? [prepared.study] : prepared.sweep.points;
  const results = studies.map((s) => ({ study: s, result: solveStudy(s) }));
  if (args.json) {
    const objects = results.map(({ study, result }) => jsonOf(study, result));
    const shown = prepared.kind === 'study' ? objects[0] : { scenario: loaded!.scenario.scenario, sweep: { parameter: prepared.sweep.parameter, points: objects } };
    out.write(JSON.stringify(shown, null, 2) + '\n');
  } else {
    const color = out === process.stdout && colorEnabled(process.stdout);
    results.forEach(({ study, result }, i) => {
      if (i > 0) out.write('\n');
      const name = study.point ? `${study.config.scenario} (${study.point.parameter} = ${String(study.point.value)})` : study.config.scenario;
      out.write(exactText.header(name, result) + '\n');
      const rows = EXACT_METRICS.map((m) => [m.metric, m.unit, shortNumber(m.value(result))]);
      out.write(renderTable(['metric', 'unit', 'exact'], rows, { color }));
      out.write(exactText.residual(result) + '\n');
    });
  }
  for (const { result } of results) if (!result.converged) err.write(exactText.notConverged(result) + '\n');
  return 0;
}

/** Solves one study; a refusal becomes located InputError problems (exit 2). */
function solveStudy(study: Study): ExactResult {
  try {
    return exactSteadyState(study.config.facility);
  } catch (e) {
    if (e instanceof ExactRefusal) throw new InputError(e.refusals.map((r) => problemAt(study.loaded as LoadedScenario, r.path, r.message)));
    throw e;
  }
}

function jsonOf(study: Study, r: ExactResult) {
  return {
    scenario: study.config.scenario,
    ...(study.point ? { value: study.point.value } : {}),
    metrics: Object.fromEntries(EXACT_METRICS.map((m) => [m.metric, { unit: m.unit, value: finiteOrNull(m.value(r)) }])),
    chain: {
      states: r.states,
      transitions: r.transitions,
      method: r.method,
      iterations: r.iterations,
      converged: r.converged,
      residual: r.residual.absolute,
      relative_residual: finiteOrNull(r.residual.relative),
    },
  };
}

/** JSON has no Infinity or NaN: an undefined figure (no incident ever) is null. */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

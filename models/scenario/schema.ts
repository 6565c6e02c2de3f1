/**
 * The scenario schema: the one source of the `Scenario` type, of validation and of the JSON
 * Schema that `resim schema` prints (SCENARIOS.md is the contract it implements).
 *
 * It is built by a factory because two things outside a value change how the value reads:
 * the top-level power_factor (kVA -> kW) and the scenario's folder (data files).
 */
import { z } from 'zod';
import { cluster } from './cluster.js';
import { components } from './components.js';
import {
  ON_OBJECTS,
  distribution,
  duration,
  boundedCount,
  LIMITS,
  withoutPrototype,
  MAX_REPLICATIONS,
  replicationCount,
  positiveDuration,
  positiveNumber,
  probability,
  type SchemaContext,
} from './fields.js';
import * as m from './messages.js';
import { GATE_PATTERN, START_PATTERN, parseGate, parseStart, type Gate } from './syntax.js';

export type { SchemaContext } from './fields.js';

export const DEFAULT_POWER_FACTOR = 0.9;
/** A sweep range longer than this is almost certainly a mistake (a step in the wrong unit). */
export const MAX_SWEEP_POINTS = 10_000;

function seed() {
  return z
    .union([z.int(), z.string().min(1, { error: () => m.emptyText() })], { error: (iss) => m.expectedSeed(iss.input) })
    .transform((value): string => String(value))
    .prefault('1')
    .meta({ description: 'Seed of all random streams: a whole number or a string (output as a string). Default: "1".' });
}

function start() {
  return z
    .string({ error: (iss) => m.expectedStart(iss.input) })
    .regex(new RegExp(START_PATTERN), { error: (iss) => m.expectedStart(iss.input) })
    .transform((value, ctx): string => {
      const parsed = parseStart(value);
      if (parsed.ok) return parsed.iso;
      ctx.addIssue({ code: 'custom', message: parsed.reason === 'offset' ? m.startNotUtc(value) : m.expectedStart(value) });
      return z.NEVER;
    })
    .prefault('2026-01-01T00:00')
    .meta({ description: 'Calendar origin (UTC), for weekly reservation windows; quote it. Output as a full ISO string. Default: "2026-01-01T00:00".' });
}

function precision() {
  return z
    .strictObject({
      metric: z.string().min(1, { error: () => m.emptyText() }).default('downtime_hours').meta({
        description: 'Metric whose confidence interval must reach the target. Default: downtime_hours.',
      }),
      relative_half_width: probability()
        .refine((value) => value > 0, { error: (iss) => m.mustBePositive(iss.input) })
        .prefault(0.05)
        .meta({ description: 'Target half-width of the interval relative to the mean (0.05 or "5%"). Default: 0.05.' }),
      confidence: probability()
        .refine((value) => value > 0 && value < 1, { error: (iss) => m.expectedType('a confidence strictly between 0 and 1', iss.input) })
        .prefault(0.95)
        .meta({ description: 'Confidence level of the interval. Default: 0.95.' }),
      min_replications: replicationCount(2).default(100).meta({ description: 'Replications before the target is first judged. Default: 100.' }),
      max_replications: replicationCount(1).default(MAX_REPLICATIONS).meta({ description: 'Stop here even if the target is not met. Default: 1000000.' }),
    })
    .superRefine((value, ctx) => {
      if (value.min_replications > value.max_replications) {
        ctx.addIssue({ code: 'custom', message: m.minAboveMax(value.min_replications, value.max_replications), path: ['max_replications'] });
      }
    })
    .optional()
    .meta({ description: 'Run until a precision target is met (instead of replications). Default: none.' });
}

function simulation() {
  return z
    .strictObject({
      horizon: positiveDuration().prefault('1y').meta({ description: 'Simulated time per replication, after the warm-up. Default: 1y.' }),
      warmup: duration().prefault(0).meta({ description: 'Simulated, then discarded (steady-state studies). Default: 0.' }),
      replications: replicationCount(1).optional().meta({ description: 'A fixed number of replications (or give precision). Default: 1000.' }),
      precision: precision(),
      seed: seed(),
      start: start(),
      method: z
        .enum(['crude', 'importance', 'auto'])
        .default('crude')
        .meta({
          description:
            'How to estimate: crude (independent replications of the discrete-event model), importance (balanced failure biasing on the Markov chain of an all-exponential facility, the chain of resim exact: unavailability, downtime, incidents and cost with intervals, run until precision.relative_half_width, 10% when no precision is given; a facility outside the Markov model is refused with the reasons), or auto (importance when the facility is Markovian and crude would need more than precision.max_replications replications for the target, else crude). Default: crude.',
        }),
    })
    .superRefine((value, ctx) => {
      if (value.replications !== undefined && value.precision !== undefined) {
        ctx.addIssue({ code: 'custom', message: m.replicationsAndPrecision(), path: ['precision'] });
      }
    }, ON_OBJECTS)
    .transform((value) => ({ ...value, replications: value.precision === undefined ? (value.replications ?? 1000) : undefined }))
    .prefault({})
    .meta({ description: 'How long and how often to simulate. Default: horizon 1y, 1000 replications, seed "1".' });
}

function maintenance() {
  return z
    .array(
      z
        .strictObject({
          target: z.string().min(1, { error: () => m.emptyText() }).meta({
            description: 'What is serviced: a component, or an expanded part such as ups.a or ups.a.1. Required.',
          }),
          every: positiveDuration().meta({ description: 'Interval between services. Required.' }),
          duration: positiveDuration().meta({ description: 'Length of one service. Required.' }),
          mode: z.enum(['concurrent', 'shutdown']).default('concurrent').meta({
            description: 'concurrent: the rest carries the load; shutdown: dependent loads are down (planned). Default: concurrent.',
          }),
          offset: duration().optional().meta({ description: 'First occurrence. Default: one `every` after the start.' }),
        })
        .transform((value) => ({ ...value, offset: value.offset ?? value.every })),
    )
    .default([])
    .meta({ description: 'Planned maintenance: {target, every, duration, mode, offset}. Default: none.' });
}

function crews(ctx: SchemaContext) {
  return z
    .strictObject({
      count: boundedCount(1, LIMITS.crews).meta({ description: 'Number of repair crews. Required.' }),
      logistics_delay: distribution(ctx).optional().meta({ description: 'Time a crew needs before starting a repair. Default: none (0).' }),
    })
    .optional()
    .meta({ description: 'Shared repair crews (first failed, first served). Default: none (unlimited crews).' });
}

function commonCause() {
  return z
    .array(
      z.strictObject({
        group: z
          .array(z.string().min(1, { error: () => m.emptyText() }))
          .min(1, { error: () => m.tooFewItems(1) })
          .meta({ description: 'Members failing together: components or expanded parts (ups.a, ups.a.1). Required.' }),
        beta: probability().meta({ description: 'Probability that a member failure is a common-cause event failing all members. Required.' }),
      }),
    )
    .default([])
    .meta({ description: 'Common-cause failures (beta factor). Default: none.' });
}

function costs() {
  const money = (description: string) =>
    z.number().nonnegative({ error: (iss) => m.atLeast(0, iss.input) }).default(0).meta({ description });
  return z
    .strictObject({
      downtime_per_hour: money('Cost of one hour of downtime. Default: 0.'),
      capex: money('Capital cost of the design, for comparisons. Default: 0.'),
      currency: z.string().min(1, { error: () => m.emptyText() }).default('USD').meta({ description: 'Label of the money amounts. Default: USD.' }),
    })
    .optional()
    .meta({ description: 'Money: plain numbers, labelled by currency. Default: none (no cost metric).' });
}

/** Range points without accumulating rounding error: from + i * step, rounded to 12 digits. */
function rangePoints(from: number, to: number, step: number): number[] {
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toPrecision(12)));
}

function sweep() {
  const point = z.union([z.string(), z.number()], { error: (iss) => m.expectedType('a number or a string', iss.input) });
  const range = z
    .strictObject({
      from: z.number().meta({ description: 'First value. Required.' }),
      to: z.number().meta({ description: 'Last value (included when reached by whole steps). Required.' }),
      step: positiveNumber().default(1).meta({ description: 'Increment. Default: 1.' }),
    })
    .superRefine((value, ctx) => {
      if (value.from > value.to) {
        ctx.addIssue({ code: 'custom', message: m.sweepRangeOrder(value.from, value.to), path: ['to'] });
        return;
      }
      const count = Math.floor((value.to - value.from) / value.step + 1e-9) + 1;
      if (count > MAX_SWEEP_POINTS) ctx.addIssue({ code: 'custom', message: m.sweepTooManyPoints(count, MAX_SWEEP_POINTS) });
    })
    .transform((value) => rangePoints(value.from, value.to, value.step));
  return z
    .strictObject({
      parameter: z.string().min(1, { error: () => m.emptyText() }).meta({
        description: 'Dotted path of the value to vary, which the file must set, e.g. components.modules.redundancy. Required.',
      }),
      values: z
        .union([z.array(point).min(1, { error: () => m.tooFewItems(1) }), range], {
          error: (iss) => m.expectedType('a list of values or {from, to, step}', iss.input),
        })
        .meta({ description: 'The values: a list, or {from, to, step} for numbers (output as a list). Required.' }),
      reference: z
        .record(z.string(), z.record(z.string(), z.number()).transform(withoutPrototype))
        .transform(withoutPrototype)
        .default(withoutPrototype({}))
        .meta({ description: 'Published figures to show beside the simulation: {label: {value: number}}, in the units of downtime_hours (h/yr); sweep.csv puts them on the downtime_hours rows, in a column named after the label. Default: none.' }),
    })
    .optional()
    .meta({ description: 'Vary one parameter over a list or range, with common random numbers. Default: none.' });
}

function expect() {
  return z
    .array(
      z
        .string({ error: (iss) => m.expectedGate(iss.input) })
        .regex(new RegExp(GATE_PATTERN), { error: (iss) => m.expectedGate(iss.input) })
        .transform((value, ctx): Gate => {
          const gate = parseGate(value);
          if (gate) return gate;
          ctx.addIssue({ code: 'custom', message: m.expectedGate(value) });
          return z.NEVER;
        }),
    )
    .default([])
    .meta({
      description: 'Regression gates for `resim check`, e.g. "downtime_hours.mean <= 1.6": metric.stat operator number, stat one of mean, p05, p50, p95, p99, ci_low, ci_high. Default: none.',
    });
}

/** The whole scenario file. */
export function scenarioSchema(ctx: SchemaContext) {
  return z
    .strictObject({
      scenario: z.string({ error: (iss) => m.expectedType('a scenario name', iss.input) }).min(1, { error: () => m.emptyText() }).meta({
        description: 'Scenario name; names the output folder (sanitised). Required.',
      }),
      description: z.string().default('').meta({ description: 'Free text. Default: empty.' }),
      power_factor: z
        .number()
        .positive({ error: (iss) => m.greaterThan(0, iss.input) })
        .max(1, { error: (iss) => m.atMost(1, iss.input) })
        .default(DEFAULT_POWER_FACTOR)
        .meta({ description: 'Converts kVA/MVA to kW (kW = kVA x power_factor). Default: 0.9.' }),
      simulation: simulation(),
      components: components(ctx),
      maintenance: maintenance(),
      crews: crews(ctx),
      common_cause: commonCause(),
      cluster: cluster(ctx),
      costs: costs(),
      sweep: sweep(),
      expect: expect(),
    })
    .meta({
      title: 'resim scenario',
      description: 'A resim scenario (SCENARIOS.md): the facility, its maintenance and crews, an optional GPU cluster, and how to simulate it. Durations: a number is hours, strings carry ms, s, min, h, d, w, mo (730 h), y (8760 h). Power: kW, or "W", "kW", "MW", "kVA", "MVA".',
    });
}

/** The normalised scenario: hours, kW, fractions, `DistSpec`s, defaults filled in. */
export type Scenario = z.output<ReturnType<typeof scenarioSchema>>;

/** JSON Schema of what users write (the input side), for editors and `resim schema`. */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(scenarioSchema({ powerFactor: DEFAULT_POWER_FACTOR, baseDir: process.cwd() }), { io: 'input' });
}

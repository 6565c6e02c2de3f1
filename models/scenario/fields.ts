/**
 * Zod building blocks for scenario values: units, distributions, failure shorthand, names.
 * Each accepts what users write (that side becomes the JSON Schema) and outputs resim's
 * internal form (hours, kW, fractions, `DistSpec`).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { DistSpec } from '../../sim/distributions.js';
import { checkRedundancy } from '../redundancy.js';
import { readEmpirical } from './empirical.js';
import * as m from './messages.js';
import {
  DURATION_PATTERN,
  PERCENT_PATTERN,
  POWER_PATTERN,
  durationHint,
  parseDuration,
  parsePower,
  parseProbability,
  powerHint,
} from './units.js';

/** What the schema needs besides the document: read from it first, or from its location. */
export interface SchemaContext {
  /** Top-level `power_factor`, for kVA/MVA. */
  powerFactor: number;
  /** Folder of the scenario file: data files are relative to it. */
  baseDir: string;
}

type Ctx = z.core.$RefinementCtx;

/** Checks of one key against its siblings must run even when a sibling is itself invalid. */
export const ON_OBJECTS = {
  when: (payload: { value: unknown }): boolean => typeof payload.value === 'object' && payload.value !== null,
};

function fail(ctx: Ctx, message: string, path: PropertyKey[] = []): never {
  ctx.addIssue({ code: 'custom', message, path });
  return z.NEVER;
}

const text = (value: unknown): string => String(value);

// Durations, power, probabilities

const durationInput = z.union(
  [
    z.number().nonnegative({ error: () => m.mustNotBeNegative() }),
    z.string().regex(new RegExp(DURATION_PATTERN), {
      error: (iss) => m.expectedDuration(iss.input, durationHint(text(iss.input))),
    }),
  ],
  { error: (iss) => m.expectedDuration(iss.input) },
);

/*
 * Value types are single instances (per schema context where they depend on it), so the JSON
 * Schema states each once under $defs and every key refers to it with its own description.
 */

const DURATION = durationInput
  .transform((value, ctx): number => {
    const parsed = parseDuration(value);
    if (parsed.ok) return parsed.value;
    return fail(ctx, parsed.reason === 'negative' ? m.mustNotBeNegative() : m.expectedDuration(value, durationHint(text(value))));
  })
  .meta({ id: 'duration', description: 'A duration: a number means hours; a string carries its unit: ms, s, min, h, d, w, mo (730 h), y (8760 h), e.g. "15min", "250000h", "1y".' });

const POSITIVE_DURATION = durationInput
  .transform((value, ctx): number => {
    const parsed = parseDuration(value);
    if (parsed.ok && parsed.value > 0) return parsed.value;
    if (parsed.ok) return fail(ctx, m.mustBePositive(value));
    return fail(ctx, parsed.reason === 'negative' ? m.mustNotBeNegative() : m.expectedDuration(value, durationHint(text(value))));
  })
  .meta({ id: 'positive_duration', description: 'A duration greater than zero: a number means hours; a string carries its unit (ms, s, min, h, d, w, mo, y).' });

/** Hours: a number is hours; a string carries its unit (ms, s, min, h, d, w, mo, y). */
export function duration() {
  return DURATION;
}

/** A duration that must be greater than zero (means, periods, intervals). */
export function positiveDuration() {
  return POSITIVE_DURATION;
}

/** One instance per schema context of a value type that depends on it. */
function perContext<T>(build: (ctx: SchemaContext) => T): (ctx: SchemaContext) => T {
  const built = new WeakMap<SchemaContext, T>();
  return (ctx) => {
    let value = built.get(ctx);
    if (value === undefined) {
      value = build(ctx);
      built.set(ctx, value);
    }
    return value;
  };
}

/** kW: a number is kW; "W", "kW", "MW"; "VA", "kVA", "MVA" times the power factor. */
export const power = perContext((ctx: SchemaContext) =>
  z
    .union(
      [
        z.number().nonnegative({ error: () => m.mustNotBeNegative() }),
        z.string().regex(new RegExp(POWER_PATTERN), {
          error: (iss) => m.expectedPower(iss.input, powerHint(text(iss.input))),
        }),
      ],
      { error: (iss) => m.expectedPower(iss.input) },
    )
    .transform((value, refinement): number => {
      const parsed = parsePower(value, ctx.powerFactor);
      if (parsed.ok) return parsed.value;
      return fail(refinement, parsed.reason === 'negative' ? m.mustNotBeNegative() : m.expectedPower(value));
    })
    .meta({ id: 'power', description: 'Power: a number means kW; a string carries its unit: W, kW, MW, or VA, kVA, MVA (times power_factor), e.g. "500kW".' }),
);

/** A capacity: power greater than zero. */
export const capacity = perContext((ctx: SchemaContext) =>
  power(ctx)
    .refine((kw) => kw > 0, { error: (iss) => m.mustBePositive(iss.input) })
    .meta({ id: 'capacity', description: 'A rating greater than zero: a number means kW; a string carries its unit (W, kW, MW, VA, kVA, MVA).' }),
);

const PROBABILITY = z
  .union(
    [
      z.number().min(0, { error: (iss) => m.probabilityRange(iss.input) }).max(1, { error: (iss) => m.probabilityRange(iss.input) }),
      z.string().regex(new RegExp(PERCENT_PATTERN), { error: (iss) => m.expectedProbability(iss.input) }),
    ],
    { error: (iss) => m.expectedProbability(iss.input) },
  )
  .transform((value, ctx): number => {
    const parsed = parseProbability(value);
    if (parsed.ok) return parsed.value;
    return fail(ctx, parsed.reason === 'range' ? m.probabilityRange(value) : m.expectedProbability(value));
  })
  .meta({ id: 'probability', description: 'A probability: a number in [0, 1] or a percent string, e.g. 0.01 or "1%".' });

/** A fraction in [0, 1]: a number, or a percent string ("1%"). */
export function probability() {
  return PROBABILITY;
}

/** A whole number of at least `minimum`. */
export function integer(minimum: number) {
  return z.int({ error: (iss) => m.expectedInteger(iss.input) }).min(minimum, { error: (iss) => m.atLeast(minimum, iss.input) });
}

/**
 * The most replications one run may ask for (scenario or --replications): every replication
 * keeps its metric values (40 doubles, 320 bytes), so the cap bounds a run's statistics to
 * about 640 MB at worst (the store grows by doubling); shard a larger study.
 */
export const MAX_REPLICATIONS = 1_000_000;

/**
 * A count of things the model builds one by one (hosts, servers, identical jobs, crews, units):
 * a whole number from `minimum` to `maximum`, so a typo such as 1838687209 hosts is an error
 * at its line, not minutes of allocation and an out-of-memory crash.
 */
export function boundedCount(minimum: number, maximum: number) {
  return integer(minimum).max(maximum, { error: (iss) => m.atMost(maximum, iss.input) });
}

/** Upper bounds of the counts a scenario may write (far above any real facility or cluster). */
export const LIMITS = {
  /** Working units N of one group (N: or the number written in the notation). */
  units: 10_000,
  hostsPerClass: 100_000,
  gpusPerHost: 1024,
  servers: 100_000,
  identicalJobs: 1_000_000,
  crews: 10_000,
  startAttempts: 1000,
} as const;

/**
 * A name-keyed table as an object without a prototype, so looking up a name the user wrote
 * ("toString", "constructor") finds an entry or nothing, never an inherited function.
 */
export function withoutPrototype<T>(record: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, record);
}

/** A replication count: a whole number from `minimum` to MAX_REPLICATIONS. */
export function replicationCount(minimum: number) {
  return integer(minimum).max(MAX_REPLICATIONS, { error: (iss) => m.atMost(MAX_REPLICATIONS, iss.input) });
}

/** A plain positive number (shape parameters, factors). */
export function positiveNumber() {
  return z.number().positive({ error: (iss) => m.greaterThan(0, iss.input) });
}

// Distributions

const exponential = (mean: number): DistSpec => ({ kind: 'exponential', mean });

/** How each form of a named distribution states its default. */
const ONE_FORM = 'Default: none (a distribution mapping has exactly one key).';

const DISTRIBUTION_KINDS = ['exponential', 'weibull', 'lognormal', 'normal', 'gamma', 'uniform', 'empirical'] as const;

/**
 * Exactly one of `keys` present: for forms where the user picks one way of saying something.
 * An unknown key at the same level is most likely the intended one misspelt, and is already
 * reported, so it silences "exactly one".
 */
export function exactlyOne(keys: readonly string[]) {
  return (value: object, ctx: Ctx): void => {
    if (ctx.issues.some((issue) => issue.code === 'unrecognized_keys' && (issue.path ?? []).length === 0)) return;
    const present = keys.filter((key) => (value as Record<string, unknown>)[key] !== undefined);
    if (present.length !== 1) fail(ctx, m.exactlyOneOf(keys), present.length > 1 ? [present[1] ?? ''] : []);
  };
}

/** Not both of two keys (`mtbf` and `failure`): the second one written is reported. */
export function notBoth(a: string, b: string) {
  return (value: object, ctx: Ctx): void => {
    const record = value as Record<string, unknown>;
    if (record[a] !== undefined && record[b] !== undefined) fail(ctx, m.eitherNotBoth(a, b), [b]);
  };
}

/**
 * Any random duration (SCENARIOS.md "Distributions"): a fixed duration, or a one-key mapping
 * naming the distribution. Lognormal may be given by its arithmetic mean, converted here to the
 * median: median = mean * exp(-sigma^2 / 2).
 */
export const distribution = perContext((ctx: SchemaContext) => {
  const fixed = duration().transform((value): DistSpec => ({ kind: 'fixed', value }));
  const shape = positiveNumber().meta({ description: 'Shape parameter (dimensionless, > 0). Required.' });
  const named = z
    .strictObject({
      exponential: positiveDuration().optional().meta({ description: `Exponential with this mean, e.g. 8h. ${ONE_FORM}` }),
      weibull: z
        .strictObject({ shape, scale: positiveDuration().meta({ description: 'Scale (characteristic life), a duration. Required.' }) })
        .optional()
        .meta({ description: `Weibull: {shape, scale}. ${ONE_FORM}` }),
      lognormal: z
        .strictObject({
          median: positiveDuration().optional().meta({ description: 'Median, a duration. Default: none (give median or mean).' }),
          mean: positiveDuration().optional().meta({ description: 'Arithmetic mean, a duration. Default: none (give median or mean).' }),
          sigma: z.number().nonnegative({ error: (iss) => m.atLeast(0, iss.input) }).meta({ description: 'Standard deviation of the logarithm. Required.' }),
        })
        .superRefine(exactlyOne(['median', 'mean']))
        .optional()
        .meta({ description: `Lognormal: {median, sigma} or {mean, sigma}. ${ONE_FORM}` }),
      normal: z
        .strictObject({
          mean: duration().meta({ description: 'Mean of the untruncated normal, a duration. Required.' }),
          sd: duration().meta({ description: 'Standard deviation of the untruncated normal, a duration. Required.' }),
        })
        .optional()
        .meta({ description: `Normal: {mean, sd}; negative draws are redrawn. ${ONE_FORM}` }),
      gamma: z
        .strictObject({ shape, scale: positiveDuration().meta({ description: 'Scale, a duration. Required.' }) })
        .optional()
        .meta({ description: `Gamma: {shape, scale}. ${ONE_FORM}` }),
      uniform: z
        .tuple([duration(), duration()], { error: () => m.expectedUniform() })
        .superRefine(([low, high], refinement) => {
          if (low > high) fail(refinement, m.uniformOrder(low, high));
        })
        .optional()
        .meta({ description: `Uniform between two durations: [low, high]. ${ONE_FORM}` }),
      empirical: z
        .union(
          [
            z.array(duration()).min(1, { error: () => m.tooFewItems(1) }).meta({ description: 'Durations resampled uniformly.' }),
            z
              .strictObject({
                file: z.string().min(1, { error: () => m.emptyText() }).meta({
                  description: 'One-column CSV of durations, relative to the scenario file; an optional header (hours, minutes, ...) gives the unit of bare numbers (default hours). Required.',
                }),
              })
              .transform((source, refinement): number[] => {
                const read = readEmpirical(resolve(ctx.baseDir, source.file), source.file);
                return read.ok ? read.values : fail(refinement, read.message, ['file']);
              }),
          ],
          { error: (iss) => m.expectedType('a list of durations or {file: name.csv}', iss.input) },
        )
        .optional()
        .meta({ description: `Empirical: a list of durations, or {file: repairs.csv}. ${ONE_FORM}` }),
    })
    .superRefine(exactlyOne(DISTRIBUTION_KINDS))
    .meta({ minProperties: 1, maxProperties: 1 })
    .transform((d): DistSpec => {
      if (d.weibull) return { kind: 'weibull', shape: d.weibull.shape, scale: d.weibull.scale };
      if (d.lognormal) {
        const { median, mean, sigma } = d.lognormal;
        return { kind: 'lognormal', median: median ?? (mean ?? 0) * Math.exp((-sigma * sigma) / 2), sigma };
      }
      if (d.normal) return { kind: 'normal', mean: d.normal.mean, sd: d.normal.sd };
      if (d.gamma) return { kind: 'gamma', shape: d.gamma.shape, scale: d.gamma.scale };
      if (d.uniform) return { kind: 'uniform', low: d.uniform[0], high: d.uniform[1] };
      if (d.empirical) return { kind: 'empirical', values: d.empirical };
      return exponential(d.exponential ?? 0);
    });
  return z.union([fixed, named], { error: (iss) => m.expectedDistribution(iss.input) }).meta({
    id: 'distribution',
    description: 'A random duration: a fixed duration, or {exponential: mean}, {weibull: {shape, scale}}, {lognormal: {median | mean, sigma}}, {normal: {mean, sd}}, {gamma: {shape, scale}}, {uniform: [low, high]}, {empirical: [durations] | {file}}.',
  });
});

// Failures and repairs

/** `mtbf`/`failure`: how a thing fails. Absent: it never fails. */
export function failureKeys(ctx: SchemaContext) {
  return {
    mtbf: positiveDuration().optional().meta({
      description: 'Mean time between failures; shorthand for failure: {exponential: mtbf}. Default: none (never fails).',
    }),
    failure: distribution(ctx).optional().meta({
      description: 'Time to failure, any distribution (instead of mtbf). Default: none (never fails).',
    }),
  };
}

/** `mttr`/`repair`: how a failed thing comes back. Absent: it is never repaired. */
export function repairKeys(ctx: SchemaContext) {
  return {
    mttr: positiveDuration().optional().meta({
      description: 'Mean time to repair; shorthand for repair: {exponential: mttr}. Default: none (never repaired).',
    }),
    repair: distribution(ctx).optional().meta({
      description: 'Repair time, any distribution (instead of mttr). Default: none (never repaired).',
    }),
  };
}

interface FailureShorthand {
  mtbf?: number;
  failure?: DistSpec;
  mttr?: number;
  repair?: DistSpec;
}

/** Spelt out as one object type, so editors show the fields rather than the type operations. */
type Folded<T> = { [K in keyof T as K extends 'mtbf' | 'mttr' | 'failure' | 'repair' ? never : K]: T[K] } & { failure?: DistSpec; repair?: DistSpec };

/** Replaces the mtbf/mttr shorthand by the exponential distributions it stands for. */
export function foldFailures<T extends FailureShorthand>(value: T): Folded<T> {
  const { mtbf, mttr, failure, repair, ...rest } = value;
  const folded: Record<string, unknown> = rest;
  const failures = failure ?? (mtbf === undefined ? undefined : exponential(mtbf));
  const repairs = repair ?? (mttr === undefined ? undefined : exponential(mttr));
  if (failures !== undefined) folded.failure = failures;
  if (repairs !== undefined) folded.repair = repairs;
  return folded as Folded<T>;
}

/** The sibling checks that go with failureKeys/repairKeys. */
export function checkShorthand(value: object, ctx: Ctx): void {
  notBoth('mtbf', 'failure')(value, ctx);
  notBoth('mttr', 'repair')(value, ctx);
}

/** A failure process on its own (`fail_to_run`, `standby_failure`): {mtbf} or {failure}. */
export function failureProcess(ctx: SchemaContext, description: string) {
  return z
    .strictObject(failureKeys(ctx))
    .superRefine(exactlyOne(['mtbf', 'failure']))
    .transform((value): { failure: DistSpec } => ({ failure: value.failure ?? exponential(value.mtbf ?? 0) }))
    .meta({ description });
}

// Names and references

const COMPONENT_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function componentName() {
  return z.string().regex(COMPONENT_NAME, { error: (iss) => m.componentName(text(iss.input)) });
}

/** The name of another component; whether it exists is checked across the file. */
export function reference(description: string) {
  return z.string({ error: (iss) => m.expectedType('a component name', iss.input) }).min(1, { error: () => m.emptyText() }).meta({ description });
}

/** One component name or a list of them (several cords), output as a list. */
export function references(description: string) {
  const name = z.string({ error: (iss) => m.expectedType('a component name', iss.input) }).min(1, { error: () => m.emptyText() });
  return z
    .union([name, z.array(name).min(1, { error: () => m.tooFewItems(1) })], {
      error: (iss) => m.expectedType('a component name or a list of names', iss.input),
    })
    .transform((value): string[] => (typeof value === 'string' ? [value] : value))
    .meta({ description });
}

/** Redundancy notation ("N+1", "2(N+1)", "3+1", 3), checked by the notation parser. */
export function redundancy() {
  return z
    .union([z.string(), z.int()], { error: (iss) => m.expectedType('a redundancy notation like "N+1" or "2(N+1)"', iss.input) })
    .transform((value, ctx): string => {
      const notation = String(value).trim();
      // Every number in the notation counts units or subsystems built one by one (the parser
      // itself lays them out), so a huge one is refused before it is parsed.
      const big = (notation.match(/\d+/g) ?? []).map(Number).find((n) => !(n <= LIMITS.units));
      if (big !== undefined) return fail(ctx, m.redundancyNotation(m.atMost(LIMITS.units, big)));
      const reason = checkRedundancy(notation);
      return reason === null ? notation : fail(ctx, m.redundancyNotation(reason));
    })
    .prefault('N')
    .meta({
      description: 'Redundancy notation (SCENARIOS.md "Redundancy notation"): "N", "N+1", "3+1", "2N", "2(N)", "2(N+1)", "(N)+(N+1)", "3N/2", ... Default: "N" (no redundancy).',
    });
}

/** An explicit N (working units), overriding the one computed from the load. */
export function workingUnits() {
  return boundedCount(1, LIMITS.units).optional().meta({
    description: 'Number of working units N. Default: written in the notation ("3+1") or computed as ceil(power carried / unit capacity).',
  });
}

/**
 * Every user-facing text of scenario loading, in one catalogue (STYLE.md "Input errors are kind
 * and complete"). Tests compare against these functions, never against copied strings.
 */

/** How a value the user wrote is quoted back in a message. */
export function shown(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function hint(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`;
}

function list(words: readonly string[]): string {
  return words.map((word) => JSON.stringify(word)).join(', ');
}

// Files and syntax

export const cannotReadFile = (reason: string): string => `cannot read the scenario file: ${reason}`;
export const yamlSyntax = (detail: string): string => `syntax error: ${detail}`;
export const yamlWarning = (detail: string): string => `YAML: ${detail}`;
export const tooManyUnits = (n: number, max: number): string =>
  `this unit capacity against the load would make N about ${n.toPrecision(3)} units (at most ${max}): check the units of capacity and power, or write N`;
export const complexKey = (): string => 'a key must be plain text, not a list, a mapping or an alias';
export const nestedTooDeeply = (max: number): string => `nested too deeply: a scenario has no value more than ${max} levels down`;
export const aliasExpansion = (max: number): string =>
  `YAML aliases expand too much (more than ${max} alias uses, counting repeats through nested anchors): an "alias bomb"? Write the values out, or use fewer aliases`;
export const notAMapping = (got: unknown): string =>
  `a scenario file is a mapping of keys (scenario, components, simulation, ...), got ${shown(got)}`;

// Keys and types

export const unknownKey = (key: string, suggestion: string | undefined, allowed: readonly string[]): string =>
  suggestion === undefined
    ? `unknown key ${JSON.stringify(key)}; allowed keys here: ${allowed.join(', ')}`
    : `unknown key ${JSON.stringify(key)}${hint(suggestion)}`;
export const missingKey = (key: string): string => `missing required key ${JSON.stringify(key)}`;
export const expectedType = (expected: string, got: unknown): string => `expected ${expected}, got ${shown(got)}`;
export const expectedOneOf = (options: readonly string[], got: unknown, suggestion: string | undefined): string =>
  `expected one of ${list(options)}, got ${shown(got)}${hint(suggestion)}`;
export const atLeast = (minimum: number, got: unknown): string => `must be at least ${minimum}, got ${shown(got)}`;
export const greaterThan = (minimum: number, got: unknown): string =>
  minimum === 0 ? `must be greater than 0, got ${shown(got)}` : `must be greater than ${minimum}, got ${shown(got)}`;
export const atMost = (maximum: number, got: unknown): string => `must be at most ${maximum}, got ${shown(got)}`;
export const lessThan = (maximum: number, got: unknown): string => `must be less than ${maximum}, got ${shown(got)}`;
export const tooFewItems = (minimum: number): string => `needs at least ${minimum} ${minimum === 1 ? 'entry' : 'entries'}`;
export const tooManyItems = (maximum: number): string => `takes at most ${maximum} ${maximum === 1 ? 'entry' : 'entries'}`;
export const emptyText = (): string => 'must not be empty';
export const eitherNotBoth = (a: string, b: string): string => `give either ${a} or ${b}, not both`;
export const exactlyOneOf = (keys: readonly string[]): string => `give exactly one of ${keys.join(', ')}`;

// Units

export const expectedDuration = (got: unknown, suggestion?: string): string =>
  `expected a duration like "250000h", got ${shown(got)}${hint(suggestion)}`;
export const mustNotBeNegative = (): string => 'must not be negative';
export const mustBePositive = (got: unknown): string => `must be greater than 0, got ${shown(got)}`;
export const expectedPower = (got: unknown, suggestion?: string): string =>
  `expected a power like "500kW" (W, kW, MW, or kVA/MVA times power_factor), got ${shown(got)}${hint(suggestion)}`;
export const expectedProbability = (got: unknown): string =>
  `expected a probability like 0.01 or "1%", got ${shown(got)}`;
export const probabilityRange = (got: unknown): string => `must be between 0 and 1 (0% and 100%), got ${shown(got)}`;
export const expectedInteger = (got: unknown): string => `expected a whole number, got ${shown(got)}`;
export const unsafeInteger = (got: unknown): string =>
  `${shown(got)} is too large to be read exactly; write it as a string (in quotes)`;

// Distributions and data files

export const expectedDistribution = (got: unknown): string =>
  `expected a duration (fixed) or a distribution such as {exponential: 8h}, got ${shown(got)}`;
export const expectedUniform = (): string => 'expected [low, high]: a list of exactly two durations';
export const uniformOrder = (low: number, high: number): string =>
  `the lower bound (${low} h) must not exceed the upper bound (${high} h)`;
export const fileNotFound = (path: string): string => `file not found: ${path}`;
export const fileUnreadable = (path: string, reason: string): string => `cannot read ${path}: ${reason}`;
export const csvEmpty = (path: string): string => `${path} holds no values`;
export const csvColumns = (path: string, line: number): string =>
  `${path} line ${line}: expected one column of durations`;
export const csvValue = (path: string, line: number, got: string): string =>
  `${path} line ${line}: ${expectedDuration(got)}`;
export const csvNegative = (path: string, line: number): string => `${path} line ${line}: ${mustNotBeNegative()}`;

// Components

export const componentName = (name: string): string =>
  `component name ${JSON.stringify(name)} must start with a letter and contain only letters, digits, "_" and "-" (dots are reserved for expanded names like ups.a.1)`;
export const redundancyNotation = (reason: string): string => `redundancy: ${reason}`;
export const unknownReference = (name: string, suggestion: string | undefined): string =>
  `no component named ${JSON.stringify(name)}${hint(suggestion)}`;
export const referenceToWrongType = (name: string, type: string, wanted: string): string =>
  `${JSON.stringify(name)} is a ${type}, but this must name ${wanted}`;
export const duplicateReference = (name: string): string => `${JSON.stringify(name)} is listed twice`;
export const sameSource = (name: string): string => `primary and secondary are both ${JSON.stringify(name)}`;
export const referenceCycle = (cycle: readonly string[]): string =>
  `components refer to each other in a cycle: ${cycle.join(' -> ')}`;
export const expandedName = (name: string): string =>
  `${JSON.stringify(name)} is not a component or an expanded part of one (like ups.a or ups.a.1)`;

// Simulation

export const replicationsAndPrecision = (): string =>
  'give either replications (a fixed count) or precision (run until a target is met), not both';
export const minAboveMax = (min: number, max: number): string =>
  `min_replications (${min}) must not exceed max_replications (${max})`;
export const expectedStart = (got: unknown): string =>
  `expected a UTC date and time like "2026-01-05T00:00", got ${shown(got)}`;
export const startNotUtc = (got: unknown): string =>
  `all times are UTC: write ${shown(got)} without an offset (or with Z)`;
export const expectedSeed = (got: unknown): string => `expected a whole number or a string, got ${shown(got)}`;
export const unknownMetric = (metric: string, suggestion: string | undefined): string =>
  `${JSON.stringify(metric)} is not a metric resim reports${hint(suggestion)}`;

// Maintenance, common cause, cluster

export const unknownGroup = (name: string, suggestion: string | undefined): string =>
  `no user group named ${JSON.stringify(name)} in cluster.groups${hint(suggestion)}`;
export const unknownHost = (name: string, suggestion: string | undefined): string =>
  `no host named ${JSON.stringify(name)} (hosts are named <name>-1 ... <name>-<count>)${hint(suggestion)}`;
export const duplicateName = (kind: string, name: string): string => `${kind} ${JSON.stringify(name)} is defined twice`;
export const expectedLsfTime = (got: unknown): string =>
  `expected an LSF time [[[year:]month:]day:]hour:minute like "6:00", got ${shown(got)}`;
export const expectedLsfWindow = (got: unknown): string =>
  `expected an LSF window [day:]hour[:minute]-[day:]hour[:minute] like "5:18:0-5:20:0" (day 0 = Sunday; both ends in the same form), got ${shown(got)}`;
export const beginEndForm = (): string => 'begin and end must be written in the same form (same number of fields)';
export const beginAfterEnd = (): string => 'begin must be earlier than end';
export const reservationTime = (): string => 'give either begin and end (one-time) or window (recurring)';
export const reservationOwner = (): string => 'give users or groups (or system: true for a system reservation)';
export const reservationSlots = (): string => 'slots is required unless system: true';
export const systemNeedsHosts = (): string => 'a system reservation needs hosts';
export const slotsExceedHosts = (slots: number, available: number): string =>
  `reserves ${slots} slots but its hosts have ${available} GPUs`;
export const unknownReservation = (name: string, suggestion: string | undefined): string =>
  `no reservation named ${JSON.stringify(name)} in cluster.reservations${hint(suggestion)}`;
export const createdAfterBegin = (created: string, begin: string): string =>
  `a one-time reservation must be made before it begins: created "${created}" is after begin "${begin}"`;
export const weightsLength = (choices: number, weights: number): string =>
  `weights has ${weights} entries but choice has ${choices}`;
export const weightsZero = (): string => 'weights must not all be 0';
export const expectedReservationName = (got: unknown): string =>
  `a reservation name starts with a letter and holds letters, digits, "_", "-" (optionally "#<number>"), at most 39 characters; got ${shown(got)}`;
export const unusedEccModel = (model: string): string =>
  `no host has gpu_model ${JSON.stringify(model)}, so this entry is never used`;
export const swfNotFound = (path: string): string => `workload trace not found: ${path}`;

// Sweeps and gates

export const sweepPathMissing = (path: string, suggestion: string | undefined): string =>
  `${JSON.stringify(path)} does not exist in this file; a sweep varies a value the file already sets${hint(suggestion)}`;
export const sweepOfSweep = (): string => 'a sweep cannot vary the sweep itself';
export const sweepRangeOrder = (from: number, to: number): string => `from (${from}) must not exceed to (${to})`;
export const sweepTooManyPoints = (count: number, maximum: number): string =>
  `the range has ${count} points; at most ${maximum} are allowed`;
export const sweepReferenceNotSwept = (key: string): string =>
  `reference value for ${JSON.stringify(key)} matches no swept value`;
export const sweepPoint = (parameter: string, value: unknown, message: string): string =>
  `with ${parameter} = ${shown(value)}: ${message}`;
export const expectedGate = (got: unknown): string =>
  `expected a gate like "downtime_hours.mean <= 1.6" (metric.stat operator number; stat one of mean, p05, p50, p95, p99, ci_low, ci_high), got ${shown(got)}`;

// Overrides

export const overrideThroughScalar = (path: string): string =>
  `cannot set ${path}: a value on the way there is not a mapping or a list`;
export const emptyOverridePath = (): string => 'an override needs a dotted path like simulation.horizon';

/**
 * Small text syntaxes inside scenario files: `expect:` gates, the calendar origin, and LSF
 * reservation times (DOMAIN.md §7.5). Plain parsers; the schema reports their failures.
 */

export const GATE_STATS = ['mean', 'p05', 'p50', 'p95', 'p99', 'ci_low', 'ci_high'] as const;
export type GateStat = (typeof GATE_STATS)[number];
export const GATE_OPERATORS = ['<=', '<', '>=', '>'] as const;
export type GateOperator = (typeof GATE_OPERATORS)[number];

/** Metric names of CLI.md "Metrics"; an unknown name in a gate is most likely a typo. */
export const KNOWN_METRICS = [
  'downtime_hours', 'unplanned_downtime_hours', 'planned_downtime_hours', 'outage_hours', 'dirty_hours',
  'availability', 'unavailability', 'incidents', 'mtbf_hours', 'mttr_hours', 'cost',
  'jobs.wait_hours', 'jobs.bounded_slowdown', 'jobs.preempted', 'jobs.killed', 'jobs.completed',
  'jobs.rejected', 'jobs.queue_length', 'gpu.utilization',
  'reservation.utilization', 'gpu_hours.lost', 'servers.start_latency_hours',
  'servers.start_latency_hours.stopped', 'servers.start_latency_hours.frozen', 'servers.migrations',
  'servers.port_changes', 'servers.idle_gpu_hours',
] as const;

export interface Gate {
  /** The gate as written, for reports. */
  text: string;
  metric: string;
  stat: GateStat;
  operator: GateOperator;
  value: number;
}

const GATE = new RegExp(
  String.raw`^\s*([A-Za-z_][A-Za-z0-9_.]*)\.(${GATE_STATS.join('|')})\s*(<=|<|>=|>)\s*` +
    String.raw`([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*$`,
);
export const GATE_PATTERN = GATE.source;

/** "downtime_hours.mean <= 1.6" -> its parts, or undefined when it does not read as a gate. */
export function parseGate(text: string): Gate | undefined {
  const match = GATE.exec(text);
  if (!match) return undefined;
  const [, metric, stat, operator, value] = match;
  return {
    text: text.trim(),
    metric: metric ?? '',
    stat: stat as GateStat,
    operator: operator as GateOperator,
    value: Number(value),
  };
}

const START = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/;
export const START_PATTERN = START.source;

export type ParsedStart = { ok: true; iso: string } | { ok: false; reason: 'format' | 'offset' };

/**
 * The calendar origin as a canonical UTC ISO string. Only UTC is accepted (SCENARIOS.md: all
 * times are UTC), so a written offset other than Z is an error rather than silently converted.
 */
export function parseStart(text: string): ParsedStart {
  const match = START.exec(text);
  if (!match) return { ok: false, reason: 'format' };
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', zone] = match;
  if (zone !== undefined && zone !== 'Z' && !/^[+-]00:?00$/.test(zone)) return { ok: false, reason: 'offset' };
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0'))] as const;
  const time = Date.UTC(...fields);
  const date = new Date(time);
  // Date.UTC rolls 2026-02-30 over into March; a round trip that changes a field means it was out of range.
  const roundTrip = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (roundTrip.some((value, i) => value !== fields[i])) return { ok: false, reason: 'format' };
  return { ok: true, iso: date.toISOString() };
}

/** Field ranges of an LSF one-time time `[[[year:]month:]day:]hour:minute`, last field first. */
const LSF_TIME_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [1901, 9999], // year
];

/** An LSF one-time reservation time ("6:00", "2026:12:1:18:00") as numbers, most significant first. */
export function parseLsfTime(text: string): number[] | undefined {
  const parts = text.trim().split(':');
  if (parts.length < 2 || parts.length > 5 || parts.some((part) => !/^\d{1,4}$/.test(part))) return undefined;
  const values = parts.map(Number);
  for (let i = 0; i < values.length; i++) {
    const range = LSF_TIME_RANGES[values.length - 1 - i];
    const value = values[i];
    if (range === undefined || value === undefined || value < range[0] || value > range[1]) return undefined;
  }
  return values;
}

/**
 * An LSF recurring window `[day:]hour[:minute]-[day:]hour[:minute]` ("3:0:0-3:3:0", "12:0-14:0"):
 * both ends in the same form; a day (0 = Sunday .. 6) needs a minute. True when well formed.
 */
export function isLsfWindow(text: string): boolean {
  const ends = text.trim().split('-');
  if (ends.length !== 2) return false;
  const parsed = ends.map((end) => end.trim().split(':'));
  const [begin, end] = parsed;
  if (!begin || !end || begin.length !== end.length || begin.length > 3) return false;
  const ranges: ReadonlyArray<readonly [number, number]> =
    begin.length === 3 ? [[0, 6], [0, 23], [0, 59]] : begin.length === 2 ? [[0, 23], [0, 59]] : [[0, 23]];
  return parsed.every((fields) =>
    fields.every((field, i) => {
      const range = ranges[i];
      return range !== undefined && /^\d{1,2}$/.test(field) && Number(field) >= range[0] && Number(field) <= range[1];
    }),
  );
}

/** Lexicographic order of two parsed LSF times of the same form. */
export function compareLsfTimes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

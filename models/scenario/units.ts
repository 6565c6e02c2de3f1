/**
 * The scenario units (SCENARIOS.md "Units"), converted at the edge so the rest of resim sees
 * one internal unit each: hours for durations, kW for power, fractions for probabilities.
 * These are plain parsers; the schema wraps them and turns their failures into located problems.
 */
import * as m from './messages.js';

/** Hours in one unit: sub-hour units divide (exact for "15min" = 0.25), the rest multiply. */
const DURATION_UNITS: Readonly<Record<string, { times: number } | { per: number }>> = {
  ms: { per: 3_600_000 },
  s: { per: 3600 },
  min: { per: 60 },
  h: { times: 1 },
  d: { times: 24 },
  w: { times: 168 },
  mo: { times: 730 },
  y: { times: 8760 },
};

/** Spellings people write for a unit resim knows, mapped to that unit (for "did you mean"). */
const DURATION_ALIASES: Readonly<Record<string, string>> = {
  msec: 'ms', millisecond: 'ms', milliseconds: 'ms',
  sec: 's', secs: 's', second: 's', seconds: 's',
  mins: 'min', minute: 'min', minutes: 'min',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  day: 'd', days: 'd',
  wk: 'w', week: 'w', weeks: 'w',
  mon: 'mo', month: 'mo', months: 'mo',
  yr: 'y', yrs: 'y', year: 'y', years: 'y',
};

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;

/** What a duration string looks like; also published in the JSON Schema for editors. */
export const DURATION_PATTERN = String.raw`^\s*${NUMBER}\s*(?:ms|s|min|h|d|w|mo|y)\s*$`;
export const POWER_PATTERN = String.raw`^\s*${NUMBER}\s*(?:W|kW|MW|VA|kVA|MVA)\s*$`;
export const PERCENT_PATTERN = String.raw`^\s*${NUMBER}\s*%\s*$`;

const QUANTITY = new RegExp(String.raw`^\s*(${NUMBER})\s*([A-Za-z%]*)\s*$`);

export type Parsed = { ok: true; value: number } | { ok: false; reason: 'format' | 'negative' | 'range' };

function split(text: string): { amount: number; unit: string } | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  return { amount: Number(match[1]), unit: match[2] ?? '' };
}

/** A duration in hours: a number is hours, a string carries its unit ("15min", "250000h", "1y"). */
export function parseDuration(input: number | string): Parsed {
  let hours: number;
  if (typeof input === 'number') {
    hours = input;
  } else {
    const parts = split(input);
    const unit = parts && DURATION_UNITS[parts.unit];
    if (!parts || !unit) return { ok: false, reason: 'format' };
    hours = 'per' in unit ? parts.amount / unit.per : parts.amount * unit.times;
  }
  if (!Number.isFinite(hours)) return { ok: false, reason: 'format' };
  if (hours < 0) return { ok: false, reason: 'negative' };
  return { ok: true, value: hours };
}

/** A duration written on the command line (`--horizon 10y`): hours, or the message saying why not. */
export function parseDurationText(text: string): number | string {
  const trimmed = text.trim();
  const parsed = parseDuration(/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed);
  if (parsed.ok) return parsed.value;
  return parsed.reason === 'negative' ? m.mustNotBeNegative() : m.expectedDuration(text, durationHint(text));
}

/**
 * The duration the user probably meant when `text` is not one ("5 hours" -> "5h"), or undefined.
 * "m" gets no guess: it could be minutes or months, and guessing wrong changes the answer.
 */
export function durationHint(text: string): string | undefined {
  const parts = split(text);
  if (!parts) return undefined;
  if (parts.unit === '') return `${parts.amount}h`;
  const unit = DURATION_ALIASES[parts.unit.toLowerCase()];
  return unit === undefined ? undefined : `${parts.amount}${unit}`;
}

const POWER_UNITS: Readonly<Record<string, { kw: number; apparent: boolean }>> = {
  W: { kw: 0.001, apparent: false },
  kW: { kw: 1, apparent: false },
  MW: { kw: 1000, apparent: false },
  VA: { kw: 0.001, apparent: true },
  kVA: { kw: 1, apparent: true },
  MVA: { kw: 1000, apparent: true },
};

/** Power in kW: a number is kW; "W", "kW", "MW", or "VA"/"kVA"/"MVA" times the power factor. */
export function parsePower(input: number | string, powerFactor: number): Parsed {
  let kw: number;
  if (typeof input === 'number') {
    kw = input;
  } else {
    const parts = split(input);
    const unit = parts && POWER_UNITS[parts.unit];
    if (!parts || !unit) return { ok: false, reason: 'format' };
    kw = parts.amount * unit.kw * (unit.apparent ? powerFactor : 1);
  }
  if (!Number.isFinite(kw)) return { ok: false, reason: 'format' };
  if (kw < 0) return { ok: false, reason: 'negative' };
  return { ok: true, value: kw };
}

/** The power unit meant when only the letter case is wrong ("500kw" -> "500kW"). */
export function powerHint(text: string): string | undefined {
  const parts = split(text);
  if (!parts) return undefined;
  const unit = Object.keys(POWER_UNITS).find((known) => known.toLowerCase() === parts.unit.toLowerCase());
  return unit === undefined ? undefined : `${parts.amount}${unit}`;
}

/** A probability in [0, 1]: a number, or a percent string ("1%" = 0.01). */
export function parseProbability(input: number | string): Parsed {
  let fraction: number;
  if (typeof input === 'number') {
    fraction = input;
  } else {
    const parts = split(input);
    if (!parts || parts.unit !== '%') return { ok: false, reason: 'format' };
    fraction = parts.amount / 100;
  }
  if (!Number.isFinite(fraction)) return { ok: false, reason: 'format' };
  if (fraction < 0 || fraction > 1) return { ok: false, reason: 'range' };
  return { ok: true, value: fraction };
}

/** Converter to hours for the unit a CSV header names ("hours", "minutes", "repair_min"), or undefined. */
export function headerUnit(header: string): ((amount: number) => number) | undefined {
  const words = header.toLowerCase().split(/[^a-z]+/).filter((word) => word !== '');
  const last = words[words.length - 1];
  if (last === undefined) return undefined;
  const unit = DURATION_UNITS[last] ?? DURATION_UNITS[DURATION_ALIASES[last] ?? ''];
  if (unit === undefined) return undefined;
  return 'per' in unit ? (amount) => amount / unit.per : (amount) => amount * unit.times;
}

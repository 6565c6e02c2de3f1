/**
 * LSF-style advance reservations (DOMAIN.md §7, SCENARIOS.md "Cluster" `reservations:`): when each
 * one is active, and the rules `brsvadd` enforces when one is created. Plain data in and out; no
 * simulation.
 *
 * Times. All times are UTC hours since `simulation.start`, which plays the part of "now", the
 * moment `brsvadd` runs (SCENARIOS.md: start is the calendar origin for reservation windows).
 * - One-time (`begin`/`end`, LSF `-b`/`-e`, DOMAIN.md §7.5): `[[[year:]month:]day:]hour:minute`;
 *   two fields are hour:minute, three day:hour:minute, four month:day:hour:minute, five
 *   year:month:day:hour:minute. A missing day is the current day and a missing month the current
 *   month (§7.5); a missing year is likewise the current year (the 4-field form has no year).
 *   "Current" means the calendar date of `simulation.start`. LSF does not roll a partial time
 *   forward to its next occurrence: §7.5 instead forbids a begin time earlier than the current
 *   time, so `checkReservations` reports such a begin (given `context.start`) and
 *   `activeIntervals` simply clips it at 0.
 * - Recurring (`window`, LSF `-t`, §7.5): `hour-hour`, `hour:minute-hour:minute` (every day) or
 *   `day:hour:minute-day:hour:minute` (every week, day 0 = Sunday ... 6 = Saturday). An end
 *   earlier than the begin wraps into the next day or week: LSF's time-window syntax, which `-t`
 *   uses, writes an overnight window as "18:30-8:30" and a weekend as "5:18:30-1:8:30" (LSF
 *   "Specifying time windows"); DOMAIN.md §7.3 has TIME_WINDOW = 20:00-8:00 and §7.6 a daily
 *   23:00-09:00 "overnight AR". A start inside a window makes it active at once (§7.5).
 * - Intervals are half-open [begin, end): the brsvs planner shows an 8:00 end up to the 7:50 row
 *   (§7.8, derived).
 */
import { compareLsfTimes, isLsfWindow, parseLsfTime, parseStart } from '../scenario/syntax.js';

/** LSF: a user-defined reservation name has at most 39 characters (DOMAIN.md §7.5 `-N`). */
export const MAX_NAME_LENGTH = 39;
/** LSF: "any single user or user group can have at most 100 reservation IDs" (DOMAIN.md §7.10). */
export const MAX_RESERVATIONS_PER_OWNER = 100;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;

/** When a reservation is active, in hours since simulation.start; half-open [begin, end). */
export interface Interval {
  begin: number;
  end: number;
}

/** The time keys of a reservation: begin and end (one-time) or window (recurring). */
export interface ReservationTimes {
  begin?: string | undefined;
  end?: string | undefined;
  window?: string | undefined;
}

/** One entry of `cluster.reservations` (SCENARIOS.md "Cluster"), as the schema outputs it or raw. */
export interface ReservationSpec extends ReservationTimes {
  name: string;
  users?: readonly string[] | undefined;
  groups?: readonly string[] | undefined;
  hosts?: readonly string[] | undefined;
  slots?: number | undefined;
  type?: 'open' | 'closed' | undefined;
  system?: boolean | undefined;
}

/** What the reservations are checked against. */
export interface ReservationContext {
  /** Every host of the cluster by name (gpu-1, ...) with its slots (one slot per GPU). */
  hosts: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Known user names. Omitted: users are not checked (an SWF trace has only numeric ids). */
  users?: Iterable<string> | undefined;
  /** Known user groups (the keys of cluster.groups). Omitted: groups are not checked. */
  groups?: Iterable<string> | undefined;
  /** simulation.start (UTC ISO). Omitted: begin times are not checked against "now". */
  start?: string | undefined;
}

/** One broken rule: the reservation's index in the list, the offending key, and what is wrong. */
export interface ReservationIssue {
  index: number;
  key: string;
  message: string;
}

/** A parsed recurring window, in minutes from the start of its period (Sunday 00:00 or midnight). */
export interface RecurringWindow {
  period: 'day' | 'week';
  begin: number;
  end: number;
}

/** A one-time LSF time resolved against "now": epoch milliseconds, or why it cannot be. */
export type ResolvedTime = { ok: true; ms: number } | { ok: false; reason: 'format' | 'date'; date?: string };

/** Every user-facing text of the reservation rules, in one place; tests compare against these. */
export const reservationMessages = {
  label: (name: unknown, index: number): string =>
    typeof name === 'string' && name !== '' ? `reservation ${JSON.stringify(name)}` : `reservations[${index}]`,
  nameEmpty: (): string => 'the name is empty; an LSF reservation name starts with a letter',
  nameTooLong: (length: number): string =>
    `the name has ${length} characters; LSF allows at most ${MAX_NAME_LENGTH}`,
  nameStart: (first: string): string =>
    `the name starts with ${JSON.stringify(first)}; an LSF reservation name starts with a letter`,
  nameCharacters: (bad: string): string =>
    `the name holds ${bad}; LSF allows only letters, digits, "_" and "-" (and "#<number>" at the end, as in system-assigned names like "user1#0")`,
  nameDuplicate: (firstIndex: number): string =>
    `the name is already used by reservations[${firstIndex}]; LSF reservation names are unique in the cluster`,
  timeMissing: (): string =>
    'give begin and end (one-time, LSF -b/-e) or window (recurring, LSF -t)',
  timeBoth: (): string =>
    'give begin and end (one-time, LSF -b/-e) or window (recurring, LSF -t), not both',
  endMissing: (): string => 'begin is given without end; LSF requires both a begin and an end time',
  beginMissing: (): string => 'end is given without begin; LSF requires both a begin and an end time',
  badTime: (key: string, text: string): string =>
    `${key} ${JSON.stringify(text)} is not an LSF time [[[year:]month:]day:]hour:minute (year after 1900, month 1-12, day 1-31, hour 0-23, minute 0-59)`,
  notADate: (key: string, text: string, date: string): string =>
    `${key} ${JSON.stringify(text)} names a day that does not exist (${date})`,
  formMismatch: (begin: string, end: string): string =>
    `begin ${JSON.stringify(begin)} and end ${JSON.stringify(end)} are written in different forms; LSF requires the same syntax for both`,
  endNotAfterBegin: (begin: string, end: string): string =>
    `end ${JSON.stringify(end)} is not later than begin ${JSON.stringify(begin)}; LSF requires the begin time to be earlier than the end time`,
  beginBeforeStart: (begin: string, resolved: string, start: string): string =>
    `begin ${JSON.stringify(begin)} is ${resolved}, before simulation.start ${start}; LSF does not accept a begin time earlier than the current time`,
  badWindow: (text: string): string =>
    `window ${JSON.stringify(text)} is not an LSF time window: hour-hour, hour:minute-hour:minute or day:hour:minute-day:hour:minute (day 0 = Sunday ... 6 = Saturday, both ends in the same form)`,
  emptyWindow: (text: string): string =>
    `window ${JSON.stringify(text)} ends when it begins, so it is never active`,
  ownerMissing: (): string => 'give users or groups (LSF -u/-g), or system: true (LSF -s)',
  systemWithOwners: (key: string): string =>
    `a system reservation takes no ${key}: LSF creates it with -s instead of -u/-g, and no jobs at all run on its hosts while it is active`,
  systemNeedsHosts: (): string => 'a system reservation needs hosts; LSF requires the hosts to reserve',
  slotsMissing: (): string => 'slots is required unless system: true; LSF requires the number of slots (-n)',
  slotsNotWhole: (slots: number): string => `slots must be a whole number of at least 1, got ${slots}`,
  slotsExceedHosts: (slots: number, available: number, named: boolean): string =>
    `reserves ${slots} slots but ${named ? 'its hosts have' : 'the cluster has'} ${available}; LSF allows at most the slots on the reserved hosts`,
  unknownUser: (user: string): string => `no user named ${JSON.stringify(user)} is known to the cluster`,
  unknownGroup: (group: string): string => `no user group named ${JSON.stringify(group)} in cluster.groups`,
  unknownHost: (host: string): string =>
    `no host named ${JSON.stringify(host)} (hosts are named <name>-1 ... <name>-<count>)`,
  tooManyForOwner: (kind: 'user' | 'group', owner: string): string =>
    `${kind} ${JSON.stringify(owner)} already has ${MAX_RESERVATIONS_PER_OWNER} reservations; LSF allows any single user or user group at most ${MAX_RESERVATIONS_PER_OWNER}`,
} as const;
const msg = reservationMessages;

/** simulation.start as epoch milliseconds; a malformed origin is the caller's bug, so it throws. */
function startMillis(startIso: string): number {
  const parsed = parseStart(startIso);
  if (!parsed.ok) throw new RangeError(`simulation start ${JSON.stringify(startIso)} is not a UTC date-time like "2026-01-05T00:00"`);
  return Date.parse(parsed.iso);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** "2026-01-05T06:00Z": a resolved time as messages show it. */
function showTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/**
 * A one-time LSF time (`-b`/`-e`) resolved against "now" = `startIso`. Missing fields come from
 * the calendar date of start (DOMAIN.md §7.5: no day -> the current day, no month -> the current
 * month). The five-field form always carries a month, so §7.5's "a year needs a month" holds by
 * construction. A day the month does not have (2:30:6:0) fails with reason 'date'.
 */
export function resolveLsfTime(text: string, startIso: string): ResolvedTime {
  const fields = parseLsfTime(text);
  if (fields === undefined) return { ok: false, reason: 'format' };
  const now = new Date(startMillis(startIso));
  const [minute = 0, hour = 0, day = now.getUTCDate(), month = now.getUTCMonth() + 1, year = now.getUTCFullYear()] = [...fields].reverse();
  if (day > daysInMonth(year, month)) {
    const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    return { ok: false, reason: 'date', date };
  }
  return { ok: true, ms: Date.UTC(year, month - 1, day, hour, minute) };
}

/**
 * A recurring LSF window (`-t`, DOMAIN.md §7.5), or undefined when malformed. One or two fields
 * per end repeat daily ("no day -> every day of the week", a missing minute is :00); three repeat
 * weekly, day 0 = Sunday.
 */
export function parseWindow(text: string): RecurringWindow | undefined {
  if (!isLsfWindow(text)) return undefined;
  const [begin, end] = text
    .trim()
    .split('-')
    .map((side) => side.trim().split(':').map(Number));
  if (begin === undefined || end === undefined) return undefined;
  const minutes = (fields: number[]): number => {
    if (fields.length === 3) return (fields[0] ?? 0) * DAY_MINUTES + (fields[1] ?? 0) * 60 + (fields[2] ?? 0);
    return (fields[0] ?? 0) * 60 + (fields[1] ?? 0);
  };
  return { period: begin.length === 3 ? 'week' : 'day', begin: minutes(begin), end: minutes(end) };
}

/**
 * When a reservation is active within [0, horizonHours], in hours since `startIso`: sorted,
 * clipped to the horizon, empty pieces dropped. A one-time reservation yields at most one interval;
 * a recurring one an interval per day or week, including one already under way at start (§7.5:
 * created inside its window, it is active immediately). A window that ends when it begins, or a
 * one-time end not after its begin, is never active (checkReservations reports both).
 * Throws RangeError on input the schema rejects (malformed times, both or neither of begin/end and
 * window), since computing with it would hide the mistake.
 */
export function activeIntervals(spec: ReservationTimes, startIso: string, horizonHours: number): Interval[] {
  const startMs = startMillis(startIso);
  if (!Number.isFinite(horizonHours) || horizonHours < 0) {
    throw new RangeError(`horizon must be a finite number of hours >= 0, got ${horizonHours}`);
  }
  const oneTime = spec.begin !== undefined || spec.end !== undefined;
  if (oneTime && spec.window !== undefined) throw new RangeError(msg.timeBoth());
  if (!oneTime && spec.window === undefined) throw new RangeError(msg.timeMissing());

  const spans: Array<[number, number]> = []; // epoch ms
  if (oneTime) {
    if (spec.begin === undefined) throw new RangeError(msg.beginMissing());
    if (spec.end === undefined) throw new RangeError(msg.endMissing());
    const at = (key: 'begin' | 'end', text: string): number => {
      const resolved = resolveLsfTime(text, startIso);
      if (resolved.ok) return resolved.ms;
      throw new RangeError(resolved.reason === 'date' ? msg.notADate(key, text, resolved.date ?? '') : msg.badTime(key, text));
    };
    spans.push([at('begin', spec.begin), at('end', spec.end)]);
  } else {
    const window = parseWindow(spec.window ?? '');
    if (window === undefined) throw new RangeError(msg.badWindow(spec.window ?? ''));
    const periodMinutes = window.period === 'week' ? WEEK_MINUTES : DAY_MINUTES;
    // An end at or before the begin wraps into the next period (overnight, weekend windows).
    const lengthMinutes = (((window.end - window.begin) % periodMinutes) + periodMinutes) % periodMinutes;
    if (lengthMinutes > 0) {
      const now = new Date(startMs);
      const weekday = window.period === 'week' ? now.getUTCDay() : 0;
      // Sunday 00:00 of start's week (weekly) or start's midnight (daily), so window offsets add on.
      const periodStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - weekday);
      const horizonMs = startMs + horizonHours * HOUR_MS;
      // From the previous period: its instance may still be running at start.
      for (let k = -1; ; k++) {
        const begin = periodStart + (k * periodMinutes + window.begin) * MINUTE_MS;
        if (begin >= horizonMs) break;
        spans.push([begin, begin + lengthMinutes * MINUTE_MS]);
      }
    }
  }

  const intervals: Interval[] = [];
  for (const [beginMs, endMs] of spans) {
    const begin = Math.max(0, (beginMs - startMs) / HOUR_MS);
    const end = Math.min(horizonHours, (endMs - startMs) / HOUR_MS);
    if (end > begin) intervals.push({ begin, end });
  }
  return intervals;
}

/** The broken name rule, or undefined. Mirrors the scenario schema's pattern (models/scenario/cluster.ts). */
function nameProblem(name: string): string | undefined {
  if (name.length === 0) return msg.nameEmpty();
  // User-defined names (-N): letters, digits, "_" and "-", starting with a letter, at most 39
  // characters (DOMAIN.md §7.5). LSF-assigned names are user_name#sequence (§7.5), which
  // SCENARIOS.md writes as names ("user1#0"), so one "#<digits>" suffix is allowed too.
  if (name.length > MAX_NAME_LENGTH) return msg.nameTooLong(name.length);
  const first = name[0] ?? '';
  if (!/[A-Za-z]/.test(first)) return msg.nameStart(first);
  const suffix = /#\d+$/.exec(name);
  const base = suffix ? name.slice(0, suffix.index) : name;
  const bad = [...new Set(base.replace(/[A-Za-z0-9_-]/g, ''))];
  if (bad.length > 0) return msg.nameCharacters(bad.map((c) => JSON.stringify(c)).join(', '));
  return undefined;
}

function hostSlots(hosts: ReservationContext['hosts']): Map<string, number> {
  return hosts instanceof Map ? new Map(hosts) : new Map(Object.entries(hosts));
}

/**
 * Every rule `brsvadd` enforces (DOMAIN.md §7.5 unless noted) that a scenario's reservations can
 * break, all reported at once, in list order:
 * - name: letters, digits, "_", "-", a leading letter, at most 39 characters, unique in the cluster;
 *   a system-assigned form "user1#0" is allowed;
 * - time: begin and end or window, not both and not neither; well-formed; begin and end in the same
 *   syntax; begin earlier than end; begin not earlier than now (context.start); a day that exists;
 *   a window that is not empty;
 * - owners: users or groups (-u/-g), or system (-s), never both: the owner is one of -u, -g, -s
 *   (§7.5 "the owners (-u user or -g group; -s for system)"; LSF 7's synopsis reads
 *   `{-s | -n job_slots {-u user_name | -g group_name}}`), and a system AR runs no jobs at all
 *   (§7.2), so users on it could never use it;
 * - slots: required unless system (-s needs no -n), a whole number >= 1, at most the slots on the
 *   named hosts (all hosts when none are named);
 * - a system reservation names its hosts; users, groups and hosts exist;
 * - at most 100 reservations per user or user group (§7.10); every one beyond is reported.
 */
export function checkReservations(list: readonly ReservationSpec[], context: ReservationContext): ReservationIssue[] {
  const issues: ReservationIssue[] = [];
  const slotsByHost = hostSlots(context.hosts);
  const knownUsers = context.users === undefined ? undefined : new Set(context.users);
  const knownGroups = context.groups === undefined ? undefined : new Set(context.groups);
  if (context.start !== undefined) startMillis(context.start); // a malformed origin throws here, before any work
  const firstWithName = new Map<string, number>();
  const owned = new Map<string, number>();

  list.forEach((spec, index) => {
    const label = msg.label(spec.name, index);
    const add = (key: string, text: string) => issues.push({ index, key, message: `${label}: ${text}` });

    // Name.
    const problem = nameProblem(spec.name);
    if (problem !== undefined) add('name', problem);
    const earlier = firstWithName.get(spec.name);
    if (earlier !== undefined) add('name', msg.nameDuplicate(earlier));
    else firstWithName.set(spec.name, index);

    // Time.
    const oneTime = spec.begin !== undefined || spec.end !== undefined;
    if (oneTime && spec.window !== undefined) add('window', msg.timeBoth());
    else if (!oneTime && spec.window === undefined) add('window', msg.timeMissing());
    else if (spec.window !== undefined) {
      const window = parseWindow(spec.window);
      if (window === undefined) add('window', msg.badWindow(spec.window));
      else if (window.begin === window.end) add('window', msg.emptyWindow(spec.window));
    } else if (spec.end === undefined) add('end', msg.endMissing());
    else if (spec.begin === undefined) add('begin', msg.beginMissing());
    else checkOneTime(spec.begin, spec.end, context.start, add);

    // Owners.
    const users = spec.users ?? [];
    const groups = spec.groups ?? [];
    if (spec.system === true) {
      if (users.length > 0) add('users', msg.systemWithOwners('users'));
      if (groups.length > 0) add('groups', msg.systemWithOwners('groups'));
      if ((spec.hosts ?? []).length === 0) add('hosts', msg.systemNeedsHosts());
    } else if (users.length === 0 && groups.length === 0) {
      add('users', msg.ownerMissing());
    }
    if (knownUsers) for (const user of users) if (!knownUsers.has(user)) add('users', msg.unknownUser(user));
    if (knownGroups) for (const group of groups) if (!knownGroups.has(group)) add('groups', msg.unknownGroup(group));

    // Hosts and slots.
    const named = [...new Set(spec.hosts ?? [])];
    const unknown = named.filter((host) => !slotsByHost.has(host));
    for (const host of unknown) add('hosts', msg.unknownHost(host));
    if (spec.slots === undefined) {
      if (spec.system !== true) add('slots', msg.slotsMissing());
    } else if (!Number.isInteger(spec.slots) || spec.slots < 1) {
      add('slots', msg.slotsNotWhole(spec.slots));
    } else if (unknown.length === 0) {
      // Judged only against hosts that exist: an unknown host is the mistake to report.
      const pool = named.length > 0 ? named : [...slotsByHost.keys()];
      const available = pool.reduce((sum, host) => sum + (slotsByHost.get(host) ?? 0), 0);
      if (spec.slots > available) add('slots', msg.slotsExceedHosts(spec.slots, available, named.length > 0));
    }

    // Per-owner limit (§7.10). A system reservation has no user or group owner.
    if (spec.system !== true) {
      const count = (kind: 'user' | 'group', owner: string, key: string) => {
        const id = `${kind}\0${owner}`;
        const n = (owned.get(id) ?? 0) + 1;
        owned.set(id, n);
        if (n > MAX_RESERVATIONS_PER_OWNER) add(key, msg.tooManyForOwner(kind, owner));
      };
      for (const user of new Set(users)) count('user', user, 'users');
      for (const group of new Set(groups)) count('group', group, 'groups');
    }
  });
  return issues;
}

/** The one-time rules of §7.5 for a begin/end pair, reporting through `add`. */
function checkOneTime(
  begin: string,
  end: string,
  startIso: string | undefined,
  add: (key: string, text: string) => void,
): void {
  const beginFields = parseLsfTime(begin);
  const endFields = parseLsfTime(end);
  if (beginFields === undefined) add('begin', msg.badTime('begin', begin));
  if (endFields === undefined) add('end', msg.badTime('end', end));
  if (beginFields === undefined || endFields === undefined) return;
  // "Both -b and -e ... must use the same syntax" (§7.5); with the same form, both take the same
  // defaults from "now", so field order is time order and no start is needed to compare them.
  if (beginFields.length !== endFields.length) {
    add('end', msg.formMismatch(begin, end));
    return;
  }
  if (startIso !== undefined) {
    const startMs = startMillis(startIso);
    const resolvedBegin = resolveLsfTime(begin, startIso);
    const resolvedEnd = resolveLsfTime(end, startIso);
    let dated = true;
    if (!resolvedBegin.ok) {
      add('begin', msg.notADate('begin', begin, resolvedBegin.date ?? ''));
      dated = false;
    }
    if (!resolvedEnd.ok) {
      add('end', msg.notADate('end', end, resolvedEnd.date ?? ''));
      dated = false;
    }
    if (!dated) return;
    if (resolvedBegin.ok && resolvedBegin.ms < startMs) {
      add('begin', msg.beginBeforeStart(begin, showTime(resolvedBegin.ms), showTime(startMs)));
    }
  } else {
    // Without "now" only the fully dated part can be checked: month and day (Feb 29 allowed
    // unless the year is written).
    let dated = true;
    for (const [key, text, fields] of [['begin', begin, beginFields], ['end', end, endFields]] as const) {
      if (fields.length < 4) continue;
      const [, , day = 1, month = 1, year = 2000] = [...fields].reverse();
      if (day > daysInMonth(year, month)) {
        const date = `${fields.length === 5 ? `${year}-` : '--'}${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        add(key, msg.notADate(key, text, date));
        dated = false;
      }
    }
    if (!dated) return;
  }
  if (compareLsfTimes(beginFields, endFields) >= 0) add('end', msg.endNotAfterBegin(begin, end));
}

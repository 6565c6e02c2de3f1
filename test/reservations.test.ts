/**
 * LSF advance reservations (models/cluster/reservations.ts): every time form of brsvadd -b/-e and -t
 * resolved to exact hours since simulation.start, the DOMAIN.md §7 examples with concrete times
 * reproduced, clipping at the horizon, and each brsvadd rule with its message.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_RESERVATIONS_PER_OWNER,
  activeIntervals,
  checkReservations,
  parseWindow,
  resolveLsfTime,
  reservationMessages as msg,
  type Interval,
  type ReservationContext,
  type ReservationSpec,
  type ReservationTimes,
} from '../models/cluster/reservations.js';

/** Monday 2026-01-05 00:00 UTC (SCENARIOS.md's example start). */
const MONDAY = '2026-01-05T00:00';
const WEEK = 168;

const pairs = (intervals: Interval[]): Array<[number, number]> => intervals.map(({ begin, end }) => [begin, end]);
const active = (times: ReservationTimes, horizon = 2 * WEEK, start = MONDAY) => pairs(activeIntervals(times, start, horizon));

/** [b, e], [b + period, e + period], ... while b < horizon, clipped like activeIntervals. */
function repeating(begin: number, end: number, period: number, horizon: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let b = begin; b < horizon; b += period) out.push([b, Math.min(end + b - begin, horizon)]);
  return out;
}

describe('one-time reservations (brsvadd -b/-e, DOMAIN.md §7.5)', () => {
  it('hour:minute is today', () => {
    expect(active({ begin: '6:00', end: '8:00' })).toEqual([[6, 8]]);
  });

  it('day:hour:minute is that day of the current month', () => {
    // 2026-01-07 is the Wednesday after the Monday start.
    expect(active({ begin: '7:6:0', end: '7:8:30' })).toEqual([[54, 56.5]]);
  });

  it('month:day:hour:minute is that date of the current year', () => {
    // 2026-02-01 is 27 days after 2026-01-05.
    expect(active({ begin: '2:1:0:0', end: '2:1:12:0' }, 1000)).toEqual([[648, 660]]);
  });

  it('year:month:day:hour:minute is that date', () => {
    // 2027-01-05 is 365 days after 2026-01-05.
    expect(active({ begin: '2027:1:5:0:0', end: '2027:1:5:1:0' }, 9000)).toEqual([[8760, 8761]]);
  });

  it('keeps minutes exactly (brsvs rmhost example 1/24/12/2-1/24/13/0, §7.6)', () => {
    const [interval] = activeIntervals({ begin: '1:24:12:2', end: '1:24:13:0' }, MONDAY, 1000);
    // 2026-01-24 is 19 days after the start.
    expect(interval?.begin).toBeCloseTo(19 * 24 + 12 + 2 / 60, 12);
    expect(interval?.end).toBe(19 * 24 + 13);
  });

  it('may span days when the day is written', () => {
    // The brief's wrapping example as a one-time reservation: Saturday 22:00 to Sunday 2:00.
    expect(active({ begin: '10:22:0', end: '11:2:0' })).toEqual([[142, 146]]);
  });

  it('does not roll a past time forward: it is clipped at the start (LSF rejects it, see the rules below)', () => {
    expect(active({ begin: '6:00', end: '14:00' }, WEEK, '2026-01-05T12:00')).toEqual([[0, 2]]);
    expect(active({ begin: '4:6:0', end: '4:8:0' })).toEqual([]); // 2026-01-04, the day before
  });

  it('resolves missing fields from the start date', () => {
    expect(resolveLsfTime('6:00', '2026-03-31T23:59')).toEqual({ ok: true, ms: Date.UTC(2026, 2, 31, 6, 0) });
    expect(resolveLsfTime('2:1:0', '2026-03-31T23:59')).toEqual({ ok: true, ms: Date.UTC(2026, 2, 2, 1, 0) });
    expect(resolveLsfTime('31:0:0', '2026-04-01T00:00')).toEqual({ ok: false, reason: 'date', date: '2026-04-31' });
    expect(resolveLsfTime('2028:2:29:0:0', MONDAY)).toEqual({ ok: true, ms: Date.UTC(2028, 1, 29) });
    expect(resolveLsfTime('2026:2:29:0:0', MONDAY)).toEqual({ ok: false, reason: 'date', date: '2026-02-29' });
    expect(resolveLsfTime('24:00', MONDAY)).toEqual({ ok: false, reason: 'format' });
  });

  it('clips at the horizon', () => {
    expect(active({ begin: '6:00', end: '8:00' }, 7)).toEqual([[6, 7]]);
    expect(active({ begin: '6:00', end: '8:00' }, 6)).toEqual([]);
    expect(active({ begin: '6:00', end: '8:00' }, 0)).toEqual([]);
  });
});

describe('recurring reservations (brsvadd -t, DOMAIN.md §7.5)', () => {
  it('day:hour:minute repeats weekly, day 0 = Sunday', () => {
    // Wednesday 0:00-3:00.
    expect(active({ window: '3:0:0-3:3:0' }, 4 * WEEK)).toEqual(repeating(48, 51, WEEK, 4 * WEEK));
    expect(active({ window: '3:0:0-3:3:0' }, 4 * WEEK)).toEqual([[48, 51], [216, 219], [384, 387], [552, 555]]);
    // Friday 18:00-20:00.
    expect(active({ window: '5:18:0-5:20:0' })).toEqual([[114, 116], [282, 284]]);
    // Sunday 9:00-10:00 comes six days after the Monday start.
    expect(active({ window: '0:9:0-0:10:0' })).toEqual([[153, 154], [321, 322]]);
  });

  it('hour:minute and hour repeat daily', () => {
    expect(active({ window: '6:00-8:00' }, 3 * 24)).toEqual([[6, 8], [30, 32], [54, 56]]);
    expect(active({ window: '6-8' }, 3 * 24)).toEqual([[6, 8], [30, 32], [54, 56]]);
    expect(active({ window: '6:30-8:15' }, 48)).toEqual([[6.5, 8.25], [30.5, 32.25]]);
  });

  it('wraps past the end of the week (Saturday 22:00 to Sunday 2:00)', () => {
    expect(active({ window: '6:22:0-0:2:0' })).toEqual([[142, 146], [310, 314]]);
  });

  it('wraps past midnight (daily 20:00-8:00) and is active at once when the start falls inside', () => {
    // The previous evening's instance runs until 8:00 on the first day (§7.5: created inside the window, active immediately).
    expect(active({ window: '20:00-8:00' }, 72)).toEqual([[0, 8], [20, 32], [44, 56], [68, 72]]);
    // Sunday 22:00 to Monday 2:00: the instance begun the evening before is under way at the Monday start.
    expect(active({ window: '0:22:0-1:2:0' })).toEqual([[0, 2], [166, 170], [334, 336]]);
    // Started on Sunday 01:00, the Saturday 22:00 to Sunday 2:00 instance begun the week before still runs;
    // the next one begins 6 days and 21 hours later and is clipped at the one-week horizon.
    expect(active({ window: '6:22:0-0:2:0' }, WEEK, '2026-01-04T01:00')).toEqual([[0, 1], [165, 168]]);
  });

  it('starts mid-window when simulation.start is inside it', () => {
    // Wednesday 01:00: one hour into Wednesday 0:00-3:00.
    expect(active({ window: '3:0:0-3:3:0' }, WEEK, '2026-01-07T01:00')).toEqual([[0, 2], [167, 168]]);
  });

  it('clips at the horizon', () => {
    expect(active({ window: '3:0:0-3:3:0' }, 50)).toEqual([[48, 50]]);
    expect(active({ window: '3:0:0-3:3:0' }, 48)).toEqual([]);
    expect(active({ window: '3:0:0-3:3:0' }, WEEK)).toEqual([[48, 51]]);
    expect(active({ window: '3:0:0-3:3:0' }, 0)).toEqual([]);
  });

  it('measures from any start, not only midnight Monday', () => {
    // Thursday 2026-01-08 06:30: the next Wednesday 0:00 is 6 days minus 6.5 hours later.
    expect(active({ window: '3:0:0-3:3:0' }, WEEK, '2026-01-08T06:30')).toEqual([[137.5, 140.5]]);
  });

  it('parses windows into minutes of their period', () => {
    expect(parseWindow('3:0:0-3:3:0')).toEqual({ period: 'week', begin: 3 * 1440, end: 3 * 1440 + 180 });
    expect(parseWindow('12:0-14:0')).toEqual({ period: 'day', begin: 720, end: 840 });
    expect(parseWindow('12-14')).toEqual({ period: 'day', begin: 720, end: 840 });
    expect(parseWindow('7:0:0-7:1:0')).toBeUndefined(); // day 0-6 only
    expect(parseWindow('3:0-3:0:0')).toBeUndefined(); // both ends in the same form
  });

  it('is never active when it ends as it begins', () => {
    expect(active({ window: '3:3:0-3:3:0' })).toEqual([]);
  });
});

describe('activeIntervals rejects what the schema rejects', () => {
  it.each<[string, ReservationTimes]>([
    ['neither', {}],
    ['both', { begin: '6:00', end: '8:00', window: '6:00-8:00' }],
    ['begin only', { begin: '6:00' }],
    ['malformed begin', { begin: '6', end: '8:00' }],
    ['malformed window', { window: '3:0-3:3:0' }],
  ])('%s', (_what, times) => {
    expect(() => activeIntervals(times, MONDAY, WEEK)).toThrow(RangeError);
  });

  it('with the message checkReservations gives', () => {
    expect(() => activeIntervals({}, MONDAY, WEEK)).toThrow(msg.timeMissing());
    expect(() => activeIntervals({ begin: '6:00', end: '8:00', window: '6-8' }, MONDAY, WEEK)).toThrow(msg.timeBoth());
    expect(() => activeIntervals({ begin: '2:30:6:0', end: '2:30:8:0' }, MONDAY, WEEK)).toThrow(msg.notADate('begin', '2:30:6:0', '2026-02-30'));
  });

  it('a bad start or horizon', () => {
    expect(() => activeIntervals({ window: '6-8' }, 'Monday', WEEK)).toThrow(RangeError);
    expect(() => activeIntervals({ window: '6-8' }, MONDAY, Infinity)).toThrow(RangeError);
    expect(() => activeIntervals({ window: '6-8' }, MONDAY, -1)).toThrow(RangeError);
  });
});

describe('the DOMAIN.md §7 examples with concrete times', () => {
  it('§7.5 #1, #8 (-b 6:0 -e 8:0, 6:00-8:00 today), #10, #11 (16:0-17:0), §7.3 (-b 10:00 -e 12:00)', () => {
    expect(active({ begin: '6:0', end: '8:0' })).toEqual([[6, 8]]);
    expect(active({ begin: '16:0', end: '17:0' })).toEqual([[16, 17]]);
    expect(active({ begin: '10:00', end: '12:00' })).toEqual([[10, 12]]);
  });

  it('§7.5 #3: 18:00 on 1 Dec 2003 to 06:00 on 31 Jan 2004', () => {
    // 31 days of December plus 30 of January to the 31st: 61 days, then 6 hours.
    const times = { begin: '2003:12:01:18:00', end: '2004:01:31:06:00' };
    expect(active(times, 2000, '2003-12-01T00:00')).toEqual([[18, 61 * 24 + 6]]);
    expect(active(times, 100, '2003-12-01T00:00')).toEqual([[18, 100]]);
    expect(active(times, 2000, MONDAY)).toEqual([]); // long over by 2026
  });

  it('§7.5 #4: every Wednesday 00:00-03:00', () => {
    expect(active({ window: '3:0:0-3:3:0' })).toEqual([[48, 51], [216, 219]]);
  });

  it('§7.5 #5, #7, #9: 12:00-14:00 every day (brsvs -p shows it Sun-Sat, §7.8)', () => {
    expect(active({ window: '12:0-14:0' }, WEEK)).toEqual(repeating(12, 14, 24, WEEK));
    expect(active({ window: '12:0-14:0' }, WEEK)).toHaveLength(7);
  });

  it('§7.5 #6: every Friday 18:00-20:00; #12: every Friday 9:00-11:00', () => {
    expect(active({ window: '5:18:0-5:20:0' })).toEqual([[114, 116], [282, 284]]);
    expect(active({ window: '5:9:0-5:11:0' })).toEqual([[105, 107], [273, 275]]);
  });

  it('§7.3: TIME_WINDOW 20:00-8:00 is 8 p.m. to 8 a.m. every day', () => {
    expect(active({ window: '20:00-8:00' }, 48)).toEqual([[0, 8], [20, 32], [44, 48]]);
  });

  it('§7.6: a daily 23:00-09:00 overnight AR and a weekly Wednesday 9:00 to Friday 22:00 AR', () => {
    expect(active({ window: '23:0-9:0' }, 48)).toEqual([[0, 9], [23, 33], [47, 48]]);
    expect(active({ window: '3:9:0-5:22:0' })).toEqual([[57, 118], [225, 286]]);
  });

  it('§7.6 disable: the daily 6:0-8:0 instance of 1 Dec 2007 is the slot of the one-time 2007:12:1:6:0-2007:12:1:8:0', () => {
    const start = '2007-12-01T00:00';
    const daily = active({ window: '6:0-8:0' }, 10 * 24, start);
    expect(daily).toEqual(repeating(6, 8, 24, 10 * 24)); // the instances of 1-10 Dec that were disabled
    expect(active({ begin: '2007:12:1:6:0', end: '2007:12:1:8:0' }, 10 * 24, start)).toEqual([daily[0]]);
  });

  it('§7.8 brsvs: a one-time AR shows as month/day/hour/minute, 11/12/6/0-11/12/8/0 for -b 6:0 -e 8:0 made on 12 Nov', () => {
    const start = '2009-11-12T00:00';
    expect(active({ begin: '11:12:6:0', end: '11:12:8:0' }, WEEK, start)).toEqual(active({ begin: '6:0', end: '8:0' }, WEEK, start));
    expect(active({ begin: '6:0', end: '8:0' }, WEEK, start)).toEqual([[6, 8]]);
  });

  it('§7.8 brsvs -l: 8:00-22:00 * is next active Sat Aug 22 08:00:00 2009 - Sat Aug 22 22:00:00 2009', () => {
    const [next] = activeIntervals({ window: '8:00-22:00' }, '2009-08-21T23:00', WEEK);
    expect(next).toEqual({ begin: 9, end: 23 });
    const at = (hours: number) => new Date(Date.UTC(2009, 7, 21, 23) + hours * 3_600_000).toUTCString();
    expect(at(next?.begin ?? NaN)).toBe('Sat, 22 Aug 2009 08:00:00 GMT');
    expect(at(next?.end ?? NaN)).toBe('Sat, 22 Aug 2009 22:00:00 GMT');
  });

  /** The brsvs -p / -z weekly planner (§7.8): 10-minute rows, a week from Sunday, an end exclusive. */
  function plannerRows(intervals: Interval[]): string[] {
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const rows: string[] = [];
    for (let row = 0; row < 7 * 144; row++) {
      const from = row * 10;
      const covered = intervals.some(({ begin, end }) => Math.round(begin * 60) < from + 10 && Math.round(end * 60) > from);
      const minute = from % 1440;
      if (covered) rows.push(`${days[Math.floor(from / 1440)]} ${Math.floor(minute / 60)}:${String(minute % 60).padStart(2, '0')}`);
    }
    return rows;
  }
  const rowsOf = (day: string, fromMinute: number, toMinute: number): string[] => {
    const rows: string[] = [];
    for (let m = fromMinute; m <= toMinute; m += 10) rows.push(`${day} ${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`);
    return rows;
  };

  it('§7.8 brsvs -p: hostA rows Wed 0:00-2:50 (groupA#0), 12:00-13:50 Sun-Sat (user2#0), Fri 18:00-19:50 (system#0)', () => {
    // A week starts on Sunday (§7.8); 8 Nov 2009 is the Sunday of the week the example shows.
    const week = (window: string) => plannerRows(activeIntervals({ window }, '2009-11-08T00:00', WEEK));
    expect(week('3:0:0-3:3:0')).toEqual(rowsOf('Wed', 0, 170));
    expect(week('12:0-14:0')).toEqual(['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].flatMap((day) => rowsOf(day, 720, 830)));
    expect(week('5:18:0-5:20:0')).toEqual(rowsOf('Fri', 1080, 1190));
  });

  it('§7.8 brsvs -z: 12/28/14/30-12/28/15/30 fills the rows 14:30-15:20 under Fri in the week 23.12.2007-29.12.2007', () => {
    const intervals = activeIntervals({ begin: '12:28:14:30', end: '12:28:15:30' }, '2007-12-23T00:00', WEEK);
    expect(pairs(intervals)).toEqual([[134.5, 135.5]]);
    expect(plannerRows(intervals)).toEqual(rowsOf('Fri', 870, 920));
  });
});

describe('checkReservations: the brsvadd rules', () => {
  const hosts: Record<string, number> = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`gpu-${i + 1}`, 8]));
  const context: ReservationContext = { hosts, users: ['alice', 'bob', 'user1'], groups: ['groupA'], start: MONDAY };
  const base: ReservationSpec = { name: 'r', users: ['user1'], hosts: ['gpu-1'], slots: 8, begin: '6:00', end: '8:00' };
  const check = (overrides: Partial<ReservationSpec>, ctx: ReservationContext = context) => checkReservations([{ ...base, ...overrides }], ctx);
  const issue = (key: string, text: string, name = 'r', index = 0) => ({ index, key, message: `${msg.label(name, index)}: ${text}` });

  it('accepts the SCENARIOS.md example, system-assigned names and all', () => {
    const list: ReservationSpec[] = [
      { name: 'user1#0', users: ['user1'], hosts: ['gpu-1'], slots: 8, begin: '6:00', end: '8:00', type: 'closed' },
      { name: 'groupA#0', groups: ['groupA'], slots: 16, window: '3:0:0-3:3:0', type: 'open' },
      { name: 'maint', system: true, hosts: ['gpu-4'], window: '5:18:0-5:20:0' },
    ];
    expect(checkReservations(list, context)).toEqual([]);
  });

  it('accepts a host map as well as a record, and wrapping windows', () => {
    expect(check({ begin: undefined, end: undefined, window: '6:22:0-0:2:0' }, { hosts: new Map(Object.entries(hosts)) })).toEqual([]);
  });

  describe('names: letters, digits, "_", "-", a leading letter, at most 39 characters, unique (§7.5)', () => {
    it.each(['Production_AR', 'user1_1#0', 'system#0', 'a-b_c', 'x'.repeat(39), `${'x'.repeat(37)}#1`])('%s is allowed', (name) => {
      expect(check({ name })).toEqual([]);
    });

    it('rejects each broken rule with its message', () => {
      expect(check({ name: '' })).toEqual([issue('name', msg.nameEmpty(), '')]);
      expect(check({ name: 'x'.repeat(40) })).toEqual([issue('name', msg.nameTooLong(40), 'x'.repeat(40))]);
      expect(check({ name: '1st' })).toEqual([issue('name', msg.nameStart('1'), '1st')]);
      expect(check({ name: '_x' })).toEqual([issue('name', msg.nameStart('_'), '_x')]);
      expect(check({ name: 'my ar.1' })).toEqual([issue('name', msg.nameCharacters('" ", "."'), 'my ar.1')]);
      expect(check({ name: 'user1#x' })).toEqual([issue('name', msg.nameCharacters('"#"'), 'user1#x')]);
      expect(check({ name: 'a#1#2' })).toEqual([issue('name', msg.nameCharacters('"#"'), 'a#1#2')]);
    });

    it('names the rule in the message', () => {
      expect(check({ name: 'x'.repeat(40) })[0]?.message).toBe(`reservation "${'x'.repeat(40)}": the name has 40 characters; LSF allows at most 39`);
      expect(msg.nameCharacters('"."')).toContain('letters, digits, "_" and "-"');
    });

    it('reports a second use of a name', () => {
      const list = [base, { ...base, begin: '9:00', end: '10:00' }];
      expect(checkReservations(list, context)).toEqual([issue('name', msg.nameDuplicate(0), 'r', 1)]);
    });
  });

  describe('times', () => {
    it('needs begin and end or window, not both and not neither', () => {
      expect(check({ window: '6:00-8:00' })).toEqual([issue('window', msg.timeBoth())]);
      expect(check({ begin: undefined, end: undefined })).toEqual([issue('window', msg.timeMissing())]);
      expect(check({ end: undefined })).toEqual([issue('end', msg.endMissing())]);
      expect(check({ begin: undefined })).toEqual([issue('begin', msg.beginMissing())]);
    });

    it('reports malformed times and windows', () => {
      expect(check({ begin: '25:00' })).toEqual([issue('begin', msg.badTime('begin', '25:00'))]);
      expect(check({ begin: '6', end: '8' })).toEqual([issue('begin', msg.badTime('begin', '6')), issue('end', msg.badTime('end', '8'))]);
      expect(check({ begin: undefined, end: undefined, window: '7:0:0-7:1:0' })).toEqual([issue('window', msg.badWindow('7:0:0-7:1:0'))]);
    });

    it('needs begin and end in the same form', () => {
      expect(check({ begin: '6:00', end: '6:8:00' })).toEqual([issue('end', msg.formMismatch('6:00', '6:8:00'))]);
    });

    it('needs begin earlier than end', () => {
      expect(check({ begin: '8:00', end: '6:00' })).toEqual([issue('end', msg.endNotAfterBegin('8:00', '6:00'))]);
      expect(check({ begin: '6:00', end: '6:00' })).toEqual([issue('end', msg.endNotAfterBegin('6:00', '6:00'))]);
      // Overnight needs the day written: 22:00 today to 2:00 today is backwards.
      expect(check({ begin: '22:00', end: '2:00' })).toEqual([issue('end', msg.endNotAfterBegin('22:00', '2:00'))]);
      expect(check({ begin: '5:22:00', end: '6:2:00' })).toEqual([]);
      expect(check({ begin: '2004:01:31:06:00', end: '2003:12:01:18:00' }, { ...context, start: undefined })).toEqual([
        issue('end', msg.endNotAfterBegin('2004:01:31:06:00', '2003:12:01:18:00')),
      ]);
    });

    it('needs begin not earlier than simulation.start ("now")', () => {
      expect(check({ begin: '6:00', end: '14:00' }, { ...context, start: '2026-01-05T12:00' })).toEqual([
        issue('begin', msg.beginBeforeStart('6:00', '2026-01-05T06:00Z', '2026-01-05T12:00Z')),
      ]);
      expect(check({ begin: '12:00', end: '14:00' }, { ...context, start: '2026-01-05T12:00' })).toEqual([]);
      expect(check({ begin: '6:00', end: '14:00' }, { ...context, start: undefined })).toEqual([]);
    });

    it('needs a day that exists', () => {
      expect(check({ begin: '2:30:6:0', end: '2:30:8:0' })).toEqual([
        issue('begin', msg.notADate('begin', '2:30:6:0', '2026-02-30')),
        issue('end', msg.notADate('end', '2:30:8:0', '2026-02-30')),
      ]);
      expect(check({ begin: '2026:2:29:6:0', end: '2026:2:29:8:0' })[0]).toEqual(issue('begin', msg.notADate('begin', '2026:2:29:6:0', '2026-02-29')));
      // Without a start the year of a 4-field time is unknown, so 29 February may exist.
      const noStart = { ...context, start: undefined };
      expect(check({ begin: '2:29:6:0', end: '2:29:8:0' }, noStart)).toEqual([]);
      expect(check({ begin: '4:31:6:0', end: '4:31:8:0' }, noStart)).toEqual([
      issue('begin', msg.notADate('begin', '4:31:6:0', '--04-31')),
      issue('end', msg.notADate('end', '4:31:8:0', '--04-31')),
    ]);
    });

    it('rejects a window that ends as it begins (brsvs once printed 3:3:0-3:3:0 for 3:0:0-3:3:0, §7.6)', () => {
      expect(check({ begin: undefined, end: undefined, window: '3:3:0-3:3:0' })).toEqual([issue('window', msg.emptyWindow('3:3:0-3:3:0'))]);
      expect(msg.emptyWindow('3:3:0-3:3:0')).toBe('window "3:3:0-3:3:0" ends when it begins, so it is never active');
    });
  });

  describe('owners', () => {
    it('needs users or groups unless system', () => {
      expect(check({ users: [] })).toEqual([issue('users', msg.ownerMissing())]);
      expect(check({ users: undefined, groups: ['groupA'] })).toEqual([]);
    });

    it('a system reservation takes no users or groups (-s instead of -u/-g)', () => {
      expect(check({ system: true, groups: ['groupA'] })).toEqual([
        issue('users', msg.systemWithOwners('users')),
        issue('groups', msg.systemWithOwners('groups')),
      ]);
      expect(check({ system: true, users: [] })).toEqual([]);
      expect(check({ system: true, users: [], slots: undefined })).toEqual([]);
    });

    it('a system reservation names its hosts', () => {
      expect(check({ system: true, users: [], hosts: [], slots: undefined })).toEqual([issue('hosts', msg.systemNeedsHosts())]);
    });

    it('reports unknown users, groups and hosts', () => {
      expect(check({ users: ['carol', 'alice'], groups: ['groupB'], hosts: ['gpu-9'] })).toEqual([
        issue('users', msg.unknownUser('carol')),
        issue('groups', msg.unknownGroup('groupB')),
        issue('hosts', msg.unknownHost('gpu-9')),
      ]);
      // Users are not checked when the context does not list them (an SWF trace has numeric ids).
      expect(check({ users: ['carol'] }, { ...context, users: undefined })).toEqual([]);
    });
  });

  describe('slots', () => {
    it('are required unless system, and whole', () => {
      expect(check({ slots: undefined })).toEqual([issue('slots', msg.slotsMissing())]);
      expect(check({ slots: 0 })).toEqual([issue('slots', msg.slotsNotWhole(0))]);
      expect(check({ slots: 1.5 })).toEqual([issue('slots', msg.slotsNotWhole(1.5))]);
    });

    it('may not exceed the slots of the named hosts, or of the cluster when none are named', () => {
      expect(check({ hosts: ['gpu-1', 'gpu-2'], slots: 16 })).toEqual([]);
      expect(check({ hosts: ['gpu-1', 'gpu-2'], slots: 17 })).toEqual([issue('slots', msg.slotsExceedHosts(17, 16, true))]);
      expect(check({ hosts: ['gpu-1', 'gpu-1'], slots: 9 })).toEqual([issue('slots', msg.slotsExceedHosts(9, 8, true))]);
      expect(check({ hosts: [], slots: 33 })).toEqual([issue('slots', msg.slotsExceedHosts(33, 32, false))]);
      expect(check({ hosts: ['gpu-1'], slots: 9 })[0]?.message).toBe('reservation "r": reserves 9 slots but its hosts have 8; LSF allows at most the slots on the reserved hosts');
    });

    it('are not judged against an unknown host (that is the mistake to report)', () => {
      expect(check({ hosts: ['gpu-1', 'gpu-99'], slots: 1000 })).toEqual([issue('hosts', msg.unknownHost('gpu-99'))]);
    });

    it('apply to a system reservation that gives them', () => {
      expect(check({ system: true, users: [], slots: 9 })).toEqual([issue('slots', msg.slotsExceedHosts(9, 8, true))]);
    });
  });

  describe(`at most ${MAX_RESERVATIONS_PER_OWNER} reservations per user or group (§7.10)`, () => {
    const many = (count: number, owner: Partial<ReservationSpec>): ReservationSpec[] =>
      Array.from({ length: count }, (_, i) => ({ ...base, users: [], ...owner, name: `r${i}`, begin: undefined, end: undefined, window: '6-8' }));

    it('allows 100 and reports each one beyond', () => {
      expect(checkReservations(many(100, { users: ['user1'] }), context)).toEqual([]);
      expect(checkReservations(many(102, { users: ['user1', 'user1'] }), context)).toEqual([
        issue('users', msg.tooManyForOwner('user', 'user1'), 'r100', 100),
        issue('users', msg.tooManyForOwner('user', 'user1'), 'r101', 101),
      ]);
      expect(checkReservations(many(101, { groups: ['groupA'] }), context)).toEqual([issue('groups', msg.tooManyForOwner('group', 'groupA'), 'r100', 100)]);
    });

    it('counts users and groups separately and system reservations not at all', () => {
      expect(checkReservations([...many(60, { users: ['alice'] }), ...many(60, { groups: ['groupA'] })].map((r, i) => ({ ...r, name: `r${i}` })), context)).toEqual([]);
      expect(checkReservations(many(101, { system: true }), context)).toEqual([]);
    });
  });

  it('reports everything at once, in list order', () => {
    const list: ReservationSpec[] = [
      { name: '9lives', users: [], slots: 0, begin: '8:00', end: '6:00' },
      { name: 'ok', users: ['alice'], slots: 1, window: '12:0-14:0' },
      { name: 'sys', system: true, users: ['bob'], window: '5:18:0-5:18:0' },
    ];
    expect(checkReservations(list, context)).toEqual([
      issue('name', msg.nameStart('9'), '9lives', 0),
      issue('end', msg.endNotAfterBegin('8:00', '6:00'), '9lives', 0),
      issue('users', msg.ownerMissing(), '9lives', 0),
      issue('slots', msg.slotsNotWhole(0), '9lives', 0),
      issue('window', msg.emptyWindow('5:18:0-5:18:0'), 'sys', 2),
      issue('users', msg.systemWithOwners('users'), 'sys', 2),
      issue('hosts', msg.systemNeedsHosts(), 'sys', 2),
    ]);
  });

  it('throws on a malformed start in the context (a caller bug, not a scenario problem)', () => {
    expect(() => checkReservations([], { hosts, start: 'soon' })).toThrow(RangeError);
  });
});

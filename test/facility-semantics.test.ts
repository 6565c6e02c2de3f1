/**
 * Deterministic semantics of the facility model: maintenance (shutdown, concurrent, postponed),
 * common cause, genset fuel and hidden standby failures, cooling ride-through, dirty power,
 * transfer-switch timing and failures, hot-standby UPS. Written against the contracts
 * (/work/shared/SCENARIOS.md, CLI.md) and the decisions stated in docs/decisions.md and the
 * header comments of models/facility/; where SCENARIOS.md is silent the code's documented choice
 * is what is tested, and the comment says so.
 *
 * Every fixture (test/fixtures/semantics/) uses fixed durations only (`failure: 10h` is a fixed
 * distribution; utility `outages: {between: 2h, duration: 1h}` repeat periodically, the first
 * starting one `between` after t = 0, the next one `between` after the previous ends), so each
 * replication follows exactly the timeline its fixture and its test state: every value is
 * checked exactly (to 1e-9 h) in every replication, and there are no false failures.
 * The tests run the built program (`npm test` builds first) and use no project code.
 *
 * replications.csv gives time and count metrics per year (8760 h) of simulated time (CLI.md), so
 * a replication's hours are value x horizon / 8760.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, resim, read, rows, at, minutes, timelines } from './helpers/timeline.js';

const FIXTURES = join(ROOT, 'test/fixtures/semantics');
const { run, expectTimeline } = timelines(FIXTURES, 'resim-semantics-');

/** causes.csv rows of a fixture's run. */
function causes(fixture: string): Array<Record<string, string>> {
  const out = run(fixture);
  expect(existsSync(join(out, 'causes.csv')), `${fixture}: causes.csv`).toBe(true);
  return rows(read(out, 'causes.csv'));
}

describe('maintenance: shutdown (planned downtime)', () => {
  // maint-shutdown-offset.yaml: a never-failing group shut down 4 h every 100 h from offset
  // 10 h; load recovery a fixed 30 min. Horizon 212 h.
  //   10-14 h shut down, 14-14.5 h recovering; 110-114.5 h likewise; 210 h shut down again,
  //   cut at the horizon (212 h). All planned (the recovery after a shutdown belongs to the same
  //   planned incident): 4.5 + 4.5 + 2 = 11 h planned, nothing unplanned. Unpowered only while
  //   shut down: 4 + 4 + 2 = 10 h.
  it('offset places the first occurrence, every the next ones; each is duration + recovery, planned', () => {
    const cause = [/maintenance/i, /shutdown/i];
    expectTimeline('maint-shutdown-offset.yaml', {
      horizon: 212,
      outage: 10,
      incidents: [
        { start: 10, end: 14.5, planned: true, cause },
        { start: 110, end: 114.5, planned: true, cause },
        { start: 210, end: 212, planned: true, cause },
      ],
    });
  });

  // maint-shutdown-default-offset.yaml: the same without `offset`: the first occurrence is one
  // `every` after the start (SCENARIOS.md): 100-104.5 h and 200-204.5 h in 250 h (the next,
  // 300 h, is beyond the horizon).
  it('without offset the first occurrence is one `every` after the start', () => {
    expectTimeline('maint-shutdown-default-offset.yaml', {
      horizon: 250,
      outage: 8,
      incidents: [
        { start: 100, end: 104.5, planned: true },
        { start: 200, end: 204.5, planned: true },
      ],
    });
  });
});

describe('maintenance: concurrent', () => {
  // maint-concurrent-2n1.yaml: ups.a of a 2(N+1) UPS (N = 1) serviced 4 h every 50 h from 10 h,
  // perfect units and utility, pdu replicated per side, dual-corded load: no downtime at all.
  // Note: the code (expand.ts maintenance(), docs/decisions.md "Concurrent") services a system
  // with spare units one unit at a time, and ups.a is one (ups.a.1 for 4 h, then ups.a.2 for
  // 4 h, ups.a itself staying up); SCENARIOS.md's example comment for `{target: ups.a, ...
  // mode: concurrent}` says "other side carries the load", i.e. the whole of ups.a out. With
  // perfect units both readings give zero here; which one is meant is for the lead to settle.
  it('one side of 2(N+1) serviced with perfect units: no downtime', () => {
    expectTimeline('maint-concurrent-2n1.yaml', { horizon: 200, outage: 0, incidents: [] });
  });

  // maint-concurrent-series.yaml: a single, non-redundant distribution element serviced
  // concurrently 3 h every 100 h from 10 h (horizon 150 h): nothing carries the load meanwhile:
  // lost 10-13 h and 110-113 h, unplanned ("a loss of service during it is unplanned downtime").
  it('a single non-redundant element: its load is lost for the duration, unplanned', () => {
    expectTimeline('maint-concurrent-series.yaml', {
      horizon: 150,
      outage: 6,
      incidents: [
        { start: 10, end: 13 },
        { start: 110, end: 113 },
      ],
    });
  });

  // Same run: the cause chain runs from root to effect (CLI.md); the root of this loss is the
  // maintenance, and causes.csv groups downtime by root. Blaming a "failure" of an element that
  // never fails misattributes planned work to equipment failures.
  it('a loss during concurrent maintenance of a series element names the maintenance as its cause', () => {
    const incidents = rows(read(run('maint-concurrent-series.yaml'), 'incidents.csv'));
    expect(incidents.length).toBeGreaterThan(0);
    for (const inc of incidents) expect(inc.cause, `cause of ${JSON.stringify(inc)}`).toMatch(/maintenance/i);
    for (const c of causes('maint-concurrent-series.yaml')) expect(c.cause, 'causes.csv root').toMatch(/maintenance/i);
  });

  // maint-concurrent-side-lost.yaml: 2(N) UPS (one unit per side), pdu.a/pdu.b, dual-corded
  // load. ups.a (no spare unit, so serviced whole) is out 10-14 h concurrently; pdu.b is due at
  // 12 h for 1 h. pdu.b relies on side a, which is lost, so it must wait until 14 h (14-15 h):
  // no loss. SCENARIOS.md: concurrent maintenance "is postponed while the redundancy it relies
  // on is already lost"; docs/decisions.md: "a step waits while ... a sibling subsystem [is]
  // down". (The code treats pdu.b as a unit without spares and takes it out at 12 h: lost
  // 12-13 h.)
  it('an element of one side waits while the other side is out', () => {
    expectTimeline('maint-concurrent-side-lost.yaml', { horizon: 20, outage: 0, incidents: [] });
  });
});

describe('maintenance: concurrent maintenance postponed while redundancy is lost', () => {
  // postpone-concurrent.yaml: 1+1 group, fixed life 10 h, fixed repair 3 h. A first plan
  // services g.2 1-6 h so that its own failure moves to 15 h. g.1 fails at 10 h (repair
  // 10-13 h). The plan under test (g.2, 1 h, due 11 h) must wait for g.1: no downtime by 20 h.
  // (Had it gone at 11 h: lost 11-12 h.) Zero downtime alone does not show that the postponed
  // service took place; the "signature" tests below do.
  it('concurrent: due while the group has no spare, it waits; no downtime', () => {
    expectTimeline('postpone-concurrent.yaml', { horizon: 20, outage: 0, incidents: [] });
  });

  // postpone-shutdown.yaml: the same plan as a shutdown does not wait: the load is down
  // 11-12 h, planned (the whole group is shut down for a shutdown of one of its units: the
  // code's reading of "the loads depending on the target"). g.2 (not serviced, clock running)
  // fails at 15 h with g.1 back since 13 h: no other loss by 20 h.
  it('shutdown at the same time: planned downtime for its duration', () => {
    expectTimeline('postpone-shutdown.yaml', {
      horizon: 20,
      outage: 1,
      incidents: [{ start: 11, end: 12, planned: true, cause: [/maintenance/i, /shutdown/i] }],
    });
  });

  // postpone-signature.yaml: as postpone-concurrent.yaml with a 10.5 h service of g.2, due at
  // 11 h. It waits for g.1 (back at 13 h) and runs 13-23.5 h; g.1 fails again at 23 h (10 h
  // after its repair): lost 23-23.5 h, unplanned, g.2 named as in maintenance. Horizon 24 h.
  // Started at 11 h it would lose 11-13 h; never started (or started late) it loses nothing.
  // docs/decisions.md: a step "starts at the first instant it holds again".
  it('group: the postponed service starts when the redundancy is back (13 h)', () => {
    expectTimeline('postpone-signature.yaml', {
      horizon: 24,
      outage: 0.5,
      incidents: [{ start: 23, end: 23.5, cause: [/g\.1 failed/, /g\.2 in maintenance/] }],
    });
  });

  // postpone-signature-ups.yaml: the same timeline with a 1+1 parallel UPS (bypass source dead)
  // instead of the generic group: lost 23-23.5 h.
  it('UPS: the postponed service starts when the redundancy is back (13 h)', () => {
    expectTimeline('postpone-signature-ups.yaml', {
      horizon: 24,
      outage: 0.5,
      incidents: [{ start: 23, end: 23.5, cause: [/ups\.1 failed/, /ups\.2 in maintenance/] }],
    });
  });
});

describe('common cause (beta factor)', () => {
  // cc-beta1.yaml: group "(1)+(1)" (g.a.1, g.b.1; the load up while either side is), fixed life
  // 100 h, fixed repair 5 h; g.b.1's own failure moved to 150 h by a 1-51 h concurrent service.
  // beta 100%: g.a.1's failure at 100 h fails g.b.1 too; lost until both are repaired at 105 h
  // (each repaired on its own, same fixed 5 h): downtime = the repair time. Horizon 140 h.
  it('beta 100%: the first unit failure takes every member down; root "common cause"', () => {
    expectTimeline('cc-beta1.yaml', {
      horizon: 140,
      outage: 5,
      incidents: [{ start: 100, end: 105, cause: [/common cause/i] }],
    });
    const byCause = causes('cc-beta1.yaml');
    expect(byCause).toHaveLength(1);
    expect(byCause[0]!.cause).toMatch(/common cause/i);
  });

  // cc-beta0.yaml: the same with beta 0: g.a.1 fails alone (100-105 h) while side b carries;
  // g.b.1 fails at 150 h, after the horizon: no incident, no common-cause root.
  it('beta 0: no common-cause event, no loss', () => {
    expectTimeline('cc-beta0.yaml', { horizon: 140, outage: 0, incidents: [] });
    expect(causes('cc-beta0.yaml').filter((c) => /common cause/i.test(c.cause ?? ''))).toHaveLength(0);
  });

  // cc-distribution.yaml: two distribution elements feeding a dual-corded load; feed_a fails at
  // a fixed 100 h (repair 5 h), feed_b never fails on its own (repair 8 h); beta 100%: feed_a's
  // failure fails feed_b too: lost 100-105 h. Horizon 150 h.
  it('beta 100% between two series elements: lost until the first is repaired', () => {
    expectTimeline('cc-distribution.yaml', { horizon: 150, outage: 5, incidents: [{ start: 100, end: 105 }] });
  });

  // Same run: feed_b never fails on its own, so its failure is the common-cause event; the cause
  // (and causes.csv's root) must say so, as it does for group units ("g common cause g.a+g.b").
  it('a common-cause failure of series elements is named as such in the cause', () => {
    const incidents = rows(read(run('cc-distribution.yaml'), 'incidents.csv'));
    expect(incidents.length).toBeGreaterThan(0);
    for (const inc of incidents) expect(inc.cause, `cause of ${JSON.stringify(inc)}`).toMatch(/common cause/i);
    for (const c of causes('cc-distribution.yaml')) expect(c.cause, 'causes.csv root').toMatch(/common cause/i);
  });
});

describe('genset fuel', () => {
  // fuel-full.yaml: utility outage 10:00-13:00 (fixed 3 h); one 100 kW genset carrying 100 kW,
  // start_delay 30 s, fuel 2 h at full load, no delivery; switch delay 6 s, retransfer_after 0;
  // UPS battery 1 min at this load (recharge 1 min), bypass = the switch.
  //   10:00:30 genset runs; 10:00:36 on genset (battery used 36 s, recharged by 10:01:12);
  //   12:00:30 tank empty (2 h after the start); 12:01:30 battery empty, bypass dead: lost;
  //   13:00:00 utility back; the switch (secondary lost) returns at once (switch.ts' stated
  //   choice; SCENARIOS.md is silent), taking the 6 s transfer: back at 13:00:06.
  it('full load, no refuel: lost from tank-empty + battery to the utility return + transfer', () => {
    expectTimeline('fuel-full.yaml', {
      horizon: 20,
      outage: at(13, 0, 6) - at(12, 1, 30),
      incidents: [{ start: at(12, 1, 30), end: at(13, 0, 6), cause: [/fuel/i] }],
    });
  });

  // fuel-refuel.yaml: the same with refuel_after 1 h: tank refilled at 11:00:30 and 12:00:30,
  // never dry before the utility returns (13:00; the 6 s return is carried by the battery).
  it('refuel_after 1h: no loss', () => {
    expectTimeline('fuel-refuel.yaml', { horizon: 20, outage: 0, incidents: [] });
  });

  // fuel-half.yaml: 50 kW load on the 100 kW genset, outage 10:00-15:00 (fixed 5 h). Fuel burns
  // with the load share (generator.ts' stated decision): the 2 h tank lasts 4 h: empty at
  // 14:00:30; the battery (1 min at the 100 kW rating = 2 min at 50 kW) lasts to 14:02:30; lost
  // until 15:00:06. (At full load the same tank would have been empty at 12:00:30.)
  it('half load: the tank lasts twice as long', () => {
    expectTimeline('fuel-half.yaml', {
      horizon: 20,
      outage: at(15, 0, 6) - at(14, 2, 30),
      incidents: [{ start: at(14, 2, 30), end: at(15, 0, 6), cause: [/fuel/i] }],
    });
  });
});

describe('cooling ride-through', () => {
  // cooling-short.yaml: one cooling unit for the whole heat, fails at 10:00, repaired in 5 min;
  // ride_through 10 min: cooling is back before the timer expires: no trip (and no recovery).
  it('repaired within the ride-through: no trip', () => {
    expectTimeline('cooling-short.yaml', { horizon: 15, outage: 0, incidents: [] });
  });

  // cooling-long.yaml: repaired in 30 min: ride-through expires at 10:10, tripped until 10:30,
  // recovery 15 min: lost 10:10-10:45 (35 min), powered throughout (outage 0).
  it('repaired after the ride-through: thermal trip until cooling is back, then recovery', () => {
    expectTimeline('cooling-long.yaml', {
      horizon: 15,
      outage: 0,
      incidents: [{ start: at(10, 10), end: at(10, 45), cause: [/ride-through/i, /thermal trip/i] }],
    });
  });
});

describe('dirty power', () => {
  // dirty.yaml: UPS unit fails 11-13 h; its bypass source has poor quality 10-12 h (and 22 h,
  // after the 20 h horizon); rectifier input clean. On bypass 11-13 h, dirty 11-12 h.
  // bypass_poor_quality_is_down false: dirty_hours 1 h, no downtime.
  it('on bypass while the bypass source is of poor quality: dirty_hours = the overlap', () => {
    expectTimeline('dirty.yaml', { horizon: 20, outage: 0, dirty: 1, incidents: [] });
  });

  // dirty-down.yaml: the same with bypass_poor_quality_is_down: true: the overlap 11-12 h is
  // downtime (unplanned), with no recovery after it although the load has a 30 min recovery
  // (SCENARIOS.md: "no recovery follows it"); still 1 h of dirty power, never unpowered.
  it('bypass_poor_quality_is_down: the overlap is downtime, with no recovery after it', () => {
    expectTimeline('dirty-down.yaml', {
      horizon: 20,
      outage: 0,
      dirty: 1,
      incidents: [{ start: 11, end: 12, cause: [/poor quality/i] }],
    });
  });

  // dirty-rectifier.yaml: poor quality (10-12 h) at the rectifier input is treated like an
  // outage: on battery (30 min at this load) 10:00-10:30, then on the bypass (the same utility,
  // of poor quality): dirty 10:30-12:00; back on the inverter at 12:00. Not downtime.
  it('poor quality at the rectifier input: battery first, then dirty bypass', () => {
    expectTimeline('dirty-rectifier.yaml', { horizon: 20, outage: 0, dirty: 1.5, incidents: [] });
  });
});

describe('transfer switch', () => {
  // ats-retransfer-*.yaml: load fed by the switch directly (every transfer is a loss); utility
  // outages 2-3, 5-6, 8-9 h; genset start 1 min; transfer 1 min each way (the return "takes
  // transfer.delay too"); horizon 10 h.
  const outageStarts = [2, 5, 8];
  const onto = outageStarts.map((h) => ({ start: h, end: at(h, 2), cause: [/utility outage/i] }));

  // retransfer_after 0: back at each utility return, 1 min without output: 6 incidents, 9 min.
  it('retransfer_after 0: returns as soon as the utility is back', () => {
    expectTimeline('ats-retransfer-0.yaml', {
      horizon: 10,
      outage: minutes(9),
      incidents: outageStarts.flatMap((h, k) => [onto[k]!, { start: h + 1, end: at(h + 1, 1) }]),
    });
  });

  // retransfer_after 30 min: each return 30 min after the utility is back (the genset runs
  // 30 min longer): same losses, the returns at 3:30, 6:30, 9:30.
  it('retransfer_after 30min: the return waits 30 min of stable primary', () => {
    expectTimeline('ats-retransfer-30min.yaml', {
      horizon: 10,
      outage: minutes(9),
      incidents: outageStarts.flatMap((h, k) => [onto[k]!, { start: at(h + 1, 30), end: at(h + 1, 31) }]),
    });
  });

  // retransfer_after 150 min > the 2 h between outages: never stable long enough; the switch
  // stays on the genset from 2:02 on: one incident.
  it('retransfer_after longer than the gaps: stays on the genset', () => {
    expectTimeline('ats-retransfer-long.yaml', { horizon: 10, outage: minutes(2), incidents: [onto[0]!] });
  });

  // ats-retransfer-long-fuel.yaml: as above with a 3 h tank (full load, no delivery): the genset
  // runs from 2:01 without release and runs dry at 5:01, in the second outage; the utility
  // returns at 6:00 and the switch (secondary lost) goes back at once, 1 min: lost 5:01-6:01.
  // Released then (tank full again at the next demand, generator.ts' decision), the genset
  // carries the third outage from 8:02 to the horizon. 3 incidents, 64 min.
  it('the longer run shows in the fuel: the genset, never released, runs dry', () => {
    expectTimeline('ats-retransfer-long-fuel.yaml', {
      horizon: 10,
      outage: minutes(64),
      incidents: [onto[0]!, { start: at(5, 1), end: at(6, 1), cause: [/fuel/i] }, onto[2]!],
    });
  });

  // Same run as retransfer_after 0: the 1 min losses on the return to the utility. That utility
  // has no poor_quality key at all, yet the cause code blames "utility poor quality".
  it('the loss during the return names the switch, not a poor quality the utility never had', () => {
    const incidents = rows(read(run('ats-retransfer-0.yaml'), 'incidents.csv'));
    const returns = incidents.filter((i) => !outageStarts.includes(Number(i.start_h)));
    expect(returns.length).toBeGreaterThan(0);
    for (const inc of returns) {
      expect(inc.cause, `cause of ${JSON.stringify(inc)}`).toMatch(/ats/);
      expect(inc.cause, `cause of ${JSON.stringify(inc)}`).not.toMatch(/poor quality/i);
    }
  });

  // ats-primary-back.yaml: a 90 s outage at 2:00; the genset runs at 2:01 and the 1 min
  // transfer starts; the utility is back at 2:01:30, before it completes: the switch stays on
  // the primary (SCENARIOS.md), so the load is lost 2:00:00-2:01:30 only.
  it('the primary back before the transfer completes: it stays on the primary', () => {
    expectTimeline('ats-primary-back.yaml', {
      horizon: 3,
      outage: at(0, 1, 30),
      incidents: [{ start: 2, end: at(2, 1, 30), cause: [/utility outage/i] }],
    });
  });

  // ats-transfer-fail.yaml: outage 2-3 h; the transfer at 2:01 (genset running) fails and sticks
  // (no repair key) until the primary returns; UPS battery 10 min, bypass = the switch: lost
  // 2:10-3:00.
  it('transfer.fail 100%: on battery until the primary returns', () => {
    expectTimeline('ats-transfer-fail.yaml', {
      horizon: 4,
      outage: minutes(50),
      incidents: [{ start: at(2, 10), end: 3, cause: [/transfer failed/i, /battery/i] }],
    });
  });

  // ats-failure.yaml: the switch fails at 5 h (fixed), repaired in 1 h; load on the switch:
  // lost 5-6 h (next failure at 11 h, after the horizon).
  it('a failed switch cuts its output until repaired', () => {
    expectTimeline('ats-failure.yaml', { horizon: 10, outage: 1, incidents: [{ start: 5, end: 6, cause: [/ats failure/i] }] });
  });
});

describe('hot-standby UPS', () => {
  it('a load above one unit\'s capacity: `resim run` exits 2 with a design error', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'resim-semantics-')), 'out');
    const r = resim(['run', join(FIXTURES, 'hot-standby-overload.yaml'), '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/design error/i);
  });

  // hot-standby-severe.yaml: master ups.1, slave ups.2 (fixed life 10 h, fixed repair 2 h; the
  // slave's failure moved to 15 h by a 1-6 h service); the static bypass source is dead.
  // severe_fraction 100%: the master's failure at 10 h breaks its bypass: lost until the
  // master's repair at 12 h, although the slave is healthy.
  it('severe_fraction 100%: a master failure drops the load for its repair time', () => {
    expectTimeline('hot-standby-severe.yaml', {
      horizon: 14,
      outage: 2,
      incidents: [{ start: 10, end: 12, cause: [/ups\.1 failed/, /bypass/i] }],
    });
  });

  // hot-standby-mild.yaml: severe_fraction 0: the slave carries the load through the master's
  // bypass 10-12 h (the bypass source being dead, nothing else can): no loss.
  it('severe_fraction 0: the slave carries the load while the master is repaired', () => {
    expectTimeline('hot-standby-mild.yaml', { horizon: 14, outage: 0, incidents: [] });
  });
});

describe('genset hidden standby failure', () => {
  // standby-no-test.yaml: hidden standby failure at 5 h (fixed idle time), repair 2 h, no tests;
  // outage 12:05-13:05; the start at 12:05:30 finds the failure; battery 10 min, bypass dead:
  // lost 12:15-13:05.
  it('without a start test the outage finds it: lost when the battery runs out', () => {
    expectTimeline('standby-no-test.yaml', {
      horizon: 14,
      outage: minutes(50),
      incidents: [{ start: at(12, 15), end: at(13, 5), cause: [/standby failure/i, /battery/i] }],
    });
  });

  // standby-test.yaml: a start test at 10:00 (15 min, load on the utility) finds it at 10:00:30
  // and the repair runs 10:00:30-12:00:30; the 12:05 outage is carried by the genset from
  // 12:05:30: no loss. (A repair starting at the end of the test would end at 12:15: lost
  // 12:15-12:15:30; no repair: lost 12:15-13:05.)
  it('a start test finds it and the repair starts then: the later outage is ridden through', () => {
    expectTimeline('standby-test.yaml', { horizon: 14, outage: 0, incidents: [] });
  });
});

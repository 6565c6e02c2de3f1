/**
 * Tier verdict: the hour budgets of DOMAIN.md §4.1 on the upper confidence bound, and the
 * topology rules of §4.4-4.5, the verdict being the lower of the two.
 */
import { describe, expect, it } from 'vitest';
import { TIER_BUDGETS, TIER_CAVEAT, tierVerdict, type TopologyFacts } from '../models/tier.js';

const tier4: TopologyFacts = { ups: 'multi', generator: 'n+1', cooling: 'n+1', dualPath: true, concurrentlyMaintainable: true, typed: true };

describe('tier verdict', () => {
  it('the budgets are the Tier table of DOMAIN.md §4.1 and consistent with its availabilities', () => {
    expect(TIER_BUDGETS.map((b) => [b.tier, b.hours])).toEqual([
      ['IV', 0.4],
      ['III', 1.6],
      ['II', 22],
      ['I', 28.8],
    ]);
    for (const b of TIER_BUDGETS) expect((8760 - b.hours) / 8760).toBeCloseTo(b.availability, 5);
  });

  it('judges hours on the upper bound: 0.39 h/yr is Tier IV, 0.41 is Tier III, 30 is below Tier I', () => {
    expect(tierVerdict(0.39, tier4).byHours).toBe('IV');
    expect(tierVerdict(0.41, tier4).byHours).toBe('III');
    expect(tierVerdict(22.5, tier4).byHours).toBe('I');
    expect(tierVerdict(30, tier4).tier).toBe('none');
  });

  it('the topology caps the verdict, with the reason', () => {
    const single = tierVerdict(0.1, { ...tier4, ups: 'n+1' });
    expect(single.tier).toBe('III');
    expect(single.reasons.join(' ')).toContain('multi-system');
    const shutdown = tierVerdict(0.1, { ...tier4, concurrentlyMaintainable: false });
    expect(shutdown.tier).toBe('II');
    expect(shutdown.reasons.join(' ')).toContain('concurrent maintainability');
    const noGensets = tierVerdict(0.1, { ...tier4, generator: 'absent' });
    expect(noGensets.tier).toBe('I');
    expect(noGensets.reasons.join(' ')).toContain('gensets absent');
  });

  it('generic-group scenarios are judged on hours alone, and every verdict carries the Uptime caveat', () => {
    const v = tierVerdict(1.0, { ...tier4, typed: false });
    expect(v.byTopology).toBeNull();
    expect(v.tier).toBe('III');
    expect(v.caveat).toBe(TIER_CAVEAT);
    expect(v.caveat).toContain('not hour budgets');
  });
});

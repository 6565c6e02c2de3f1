/**
 * Tier verdict (DOMAIN.md §4): the hour budgets of the Tier table (§4.1), judged on the upper
 * confidence bound of mean downtime, and the topology criteria of §4.4-4.5 that a scenario shows:
 * N+1 components (UPS, gensets, cooling), concurrent maintainability (no planned downtime), and
 * for Tier IV a UPS multi-system feeding dual paths down to every load.
 *
 * The verdict is the lower of the two. Uptime Institute Tiers are topology and operations
 * criteria certified on site, not hour budgets: the caveat travels with every verdict.
 */
import type { FacilitySpec, NodeSpec } from './facility/spec.js';

export const TIER_BUDGETS = [
  { tier: 'IV', hours: 0.4, availability: 0.99995 },
  { tier: 'III', hours: 1.6, availability: 0.99982 },
  { tier: 'II', hours: 22.0, availability: 0.99749 },
  { tier: 'I', hours: 28.8, availability: 0.99671 },
] as const;

export type Tier = (typeof TIER_BUDGETS)[number]['tier'];
const RANK: Record<Tier | 'none', number> = { none: 0, I: 1, II: 2, III: 3, IV: 4 };
const BY_RANK = ['none', 'I', 'II', 'III', 'IV'] as const;

export const TIER_CAVEAT =
  'Uptime Institute Tiers are topology and operational criteria certified on site, not hour budgets; this verdict combines the simulated downtime with the topology rules the scenario shows.';

export interface TierVerdict {
  /** The lower of the two judgements ("none" when even Tier I's budget is exceeded). */
  tier: Tier | 'none';
  byHours: Tier | 'none';
  /** null when the scenario has no typed equipment to judge (generic groups only). */
  byTopology: Tier | null;
  /** The upper confidence bound the hours were judged on (h/yr). */
  downtimeUpperBound: number;
  reasons: string[];
  caveat: string;
}

/** Topology facts of the expanded facility. */
export interface TopologyFacts {
  ups: 'absent' | 'none' | 'n+1' | 'multi';
  generator: 'absent' | 'none' | 'n+1' | 'multi';
  cooling: 'absent' | 'none' | 'n+1' | 'multi';
  /** Every load has at least two cords. */
  dualPath: boolean;
  /** No shutdown maintenance, and no planned downtime observed. */
  concurrentlyMaintainable: boolean;
  typed: boolean;
}

export function topologyFacts(f: FacilitySpec, plannedDowntime: number): TopologyFacts {
  const redundancy = (kind: NodeSpec['kind']): TopologyFacts['ups'] => {
    const nodes = f.nodes.filter((n) => n.kind === kind) as Array<Extract<NodeSpec, { needed: number }>>;
    if (nodes.length === 0) return 'absent';
    const components = new Set(nodes.map((n) => n.component));
    for (const c of components) {
      const subsystems = nodes.filter((n) => n.component === c);
      if (subsystems.length > 1) continue;
      if (subsystems[0]!.units.length <= subsystems[0]!.needed) return 'none';
    }
    return [...components].every((c) => nodes.filter((n) => n.component === c).length > 1) ? 'multi' : 'n+1';
  };
  const typed = f.nodes.some((n) => n.kind !== 'group');
  return {
    ups: redundancy('ups'),
    generator: redundancy('generator'),
    cooling: redundancy('cooling'),
    dualPath: f.loads.length > 0 && f.loads.every((l) => l.cords.length >= 2),
    concurrentlyMaintainable: !(f.maintenance ?? []).some((m) => m.mode === 'shutdown') && plannedDowntime === 0,
    typed,
  };
}

export function tierVerdict(downtimeUpperBound: number, facts: TopologyFacts): TierVerdict {
  const reasons: string[] = [];
  const fit = TIER_BUDGETS.find((b) => downtimeUpperBound <= b.hours);
  const byHours: Tier | 'none' = fit ? fit.tier : 'none';
  reasons.push(
    fit
      ? `downtime upper 95% bound ${fmt(downtimeUpperBound)} h/yr is within Tier ${fit.tier}'s ${fit.hours} h/yr`
      : `downtime upper 95% bound ${fmt(downtimeUpperBound)} h/yr exceeds even Tier I's 28.8 h/yr`,
  );
  let byTopology: Tier | null = null;
  if (facts.typed) {
    const redundant = (x: TopologyFacts['ups']) => x === 'n+1' || x === 'multi';
    const missing = (['ups', 'generator', 'cooling'] as const).filter((k) => !redundant(facts[k]));
    byTopology = 'I';
    if (missing.length === 0) {
      byTopology = 'II';
      if (facts.concurrentlyMaintainable) {
        byTopology = 'III';
        if (facts.ups === 'multi' && facts.dualPath) byTopology = 'IV';
        else reasons.push(`Tier IV needs a UPS multi-system (e.g. 2(N+1)) and dual paths to every load: ${facts.ups !== 'multi' ? 'the UPS is one system' : 'a load has a single cord'}`);
      } else reasons.push('Tier III needs concurrent maintainability: the scenario has shutdown maintenance or planned downtime');
    } else {
      reasons.push(
        `Tier II needs N+1 UPS, gensets and cooling: ${missing.map((k) => `${k === 'generator' ? 'gensets' : k} ${facts[k] === 'absent' ? 'absent' : 'without redundancy'}`).join(', ')}`,
      );
    }
  } else reasons.push('topology not judged: the scenario has only generic groups');
  const rank = Math.min(RANK[byHours], byTopology === null ? 4 : RANK[byTopology]);
  return { tier: BY_RANK[rank]!, byHours, byTopology, downtimeUpperBound, reasons, caveat: TIER_CAVEAT };
}

function fmt(x: number): string {
  return x < 0.01 ? x.toExponential(2) : x.toFixed(3);
}

/**
 * The expansion of every notation in DOMAIN.md §2.4's examples table into concrete subsystems,
 * units and load cords (what `resim expand` prints).
 */
import { describe, expect, it } from 'vitest';
import { expandFacility, type FacilityInput } from '../models/facility/expand.js';
import type { FacilitySpec, NodeSpec } from '../models/facility/spec.js';
import { loadScenarioText } from '../models/scenario/index.js';

/** A UPS of 10 kW units (N from the load unless the notation fixes it) feeding one load through a PDU. */
function expand(redundancy: string, loadKw: number, extra = ''): FacilitySpec {
  const text = `
scenario: t
components:
  utility: {type: utility}
  ups: {type: ups, input: utility, redundancy: "${redundancy}", unit: {capacity: 10kW, mtbf: 1000h, mttr: 1h}${extra}}
  pdu: {type: distribution, input: ups}
  it: {type: load, power: ${loadKw}kW, input: pdu}
`;
  const loaded = loadScenarioText(text, 't.yaml');
  return expandFacility(loaded.scenario as unknown as FacilityInput).facility;
}

const upsNodes = (f: FacilitySpec) => f.nodes.filter((n): n is Extract<NodeSpec, { kind: 'ups' }> => n.kind === 'ups');
const shape = (f: FacilitySpec) => upsNodes(f).map((n) => `${n.name}:${n.needed}+${n.units.length - n.needed}`);

describe('DOMAIN.md §2.4 examples table', () => {
  it('2N (N=2) is one system 2+2 with a single output', () => {
    const f = expand('2N', 20);
    expect(shape(f)).toEqual(['ups:2+2']);
    expect(f.loads[0]!.cords).toEqual(['pdu']);
  });

  it('2(N) is a two-output multi-system of N units each, and the PDU is replicated per side', () => {
    const f = expand('2(N)', 20);
    expect(shape(f)).toEqual(['ups.a:2+0', 'ups.b:2+0']);
    expect(f.loads[0]!.cords).toEqual(['pdu.a', 'pdu.b']);
    expect(shape(expand('2*(2)', 20))).toEqual(['ups.a:2+0', 'ups.b:2+0']);
    expect(shape(expand('(N)+(N)', 20))).toEqual(['ups.a:2+0', 'ups.b:2+0']);
  });

  it('2N+1 (N=1) is one system 1+2', () => {
    expect(shape(expand('2N+1', 10))).toEqual(['ups:1+2']);
  });

  it('2(N)+1 is (N)+(N+1)', () => {
    expect(shape(expand('2(N)+1', 10))).toEqual(['ups.a:1+0', 'ups.b:1+1']);
    expect(shape(expand('(N)+(N+1)', 10))).toEqual(['ups.a:1+0', 'ups.b:1+1']);
  });

  it('2+1 = 2+[1] = N+1 with N = 2 is one system of 2 working + 1 reserve', () => {
    for (const n of ['2+1', '2+[1]', 'N+1']) expect(shape(expand(n, 20))).toEqual(['ups:2+1']);
  });

  it('(1+1)+[(1+1)] = 2*(1+1) = 2(N+1) with N = 1: two subsystems of 1+1', () => {
    for (const n of ['(1+1)+[(1+1)]', '2*(1+1)', '2(N+1)', '(N+1)+(N+1)']) expect(shape(expand(n, 10))).toEqual(['ups.a:1+1', 'ups.b:1+1']);
  });

  it('(1+1)+[(1+1)]+[(1+1)] = 3(N+1): three subsystems of 1+1', () => {
    for (const n of ['(1+1)+[(1+1)]+[(1+1)]', '3(N+1)', '3*(1+1)', '(1+1)+2*[(1+1)]']) {
      expect(shape(expand(n, 10))).toEqual(['ups.a:1+1', 'ups.b:1+1', 'ups.c:1+1']);
    }
  });

  it('(1+1)+(1+1)+[(1+1)] is impossible without load splitting, with the reason', () => {
    expect(() => loadScenarioText(`
scenario: t
components:
  ups: {type: group, redundancy: "(1+1)+(1+1)+[(1+1)]", unit: {mtbf: 1000h}}
  it: {type: load, input: ups}
`, 't.yaml')).toThrow(/load splitting/);
  });

  it('3N/2 (N=1): three single-UPS subsystems and three load groups, group i on subsystems i and i+1', () => {
    // Each subsystem is sized for m = 2 of the 3 load groups: N = ceil(2/3 x 15 kW / 10 kW) = 1.
    const f = expand('3N/2', 15);
    expect(shape(f)).toEqual(['ups.a:1+0', 'ups.b:1+0', 'ups.c:1+0']);
    expect(f.loads.map((l) => [l.name, l.cords, l.powerKw])).toEqual([
      ['it.1', ['pdu.a', 'pdu.b'], 5],
      ['it.2', ['pdu.b', 'pdu.c'], 5],
      ['it.3', ['pdu.c', 'pdu.a'], 5],
    ]);
  });

  it('3(N+1)/2: as 3N/2 with one redundant unit per subsystem', () => {
    expect(shape(expand('3(N+1)/2', 15))).toEqual(['ups.a:1+1', 'ups.b:1+1', 'ups.c:1+1']);
  });

  it('3N/2 with spread: even sizes each subsystem for 1/(k-1) of the load, one group per ordered pair', () => {
    const f = expand('3N/2', 30, ', spread: even');
    // 30 kW / (3 - 1) = 15 kW per subsystem: N = 2 units of 10 kW.
    expect(shape(f)).toEqual(['ups.a:2+0', 'ups.b:2+0', 'ups.c:2+0']);
    expect(f.loads).toHaveLength(6);
    expect(f.loads.every((l) => l.powerKw === 5)).toBe(true);
  });

  it('3(N)+3 is refused with the reason', () => {
    expect(() => expand('3(N)+3', 10)).toThrow(/unclear how many subsystems/);
  });
});

describe('sizing', () => {
  it('a dual-corded load behind two switchboards of one UPS is carried once', () => {
    const loaded = loadScenarioText(`
scenario: t
components:
  utility: {type: utility}
  ups: {type: ups, input: utility, redundancy: N+1, unit: {capacity: 500kW}}
  pdu_a: {type: distribution, input: ups}
  pdu_b: {type: distribution, input: ups}
  it: {type: load, power: 900kW, input: [pdu_a, pdu_b]}
`, 't.yaml');
    const f = expandFacility(loaded.scenario as unknown as FacilityInput).facility;
    expect(shape(f)).toEqual(['ups:2+1']);
    expect(f.loads[0]!.cords).toEqual(['pdu_a', 'pdu_b']);
  });
});

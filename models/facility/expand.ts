/**
 * Normalize: from the validated scenario to the concrete facility (FacilitySpec).
 * Resolves N from the carried power and the unit capacity, expands multi-systems into
 * subsystems `g.a`, `g.b`, ... and names every unit (`g.1`, `g.a.1`, 1-based).
 */
import type { DistSpec } from '../../sim/distributions.js';
import { parseRedundancy, resolveCount, usesSymbolicN, type Redundancy } from '../redundancy.js';
import type { CrewSpec, FacilitySpec, GroupSpec, LoadSpec, SubsystemSpec } from './spec.js';

/** The parts of the validated scenario the facility model reads. */
export interface FacilityInput {
  components: Record<string, ComponentInput>;
  crews?: { count: number; logistics_delay?: DistSpec | null } | null;
}

export interface ComponentInput {
  type: string;
  redundancy?: string | number;
  N?: number;
  unit?: { capacity?: number; failure?: DistSpec | null; repair?: DistSpec | null };
  power?: number;
  input?: string | string[];
  recovery?: DistSpec | null;
}

/** A scenario that validates but cannot be built; `path` is the dotted key path of the culprit. */
export class ModelError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Component types the engine simulates in this version. */
export const SIMULATED_TYPES = ['group', 'load'] as const;

export interface Expansion {
  facility: FacilitySpec;
  warnings: Array<{ path: string; message: string }>;
}

const SIDE_NAMES = 'abcdefghijklmnopqrstuvwxyz';

export function expandFacility(input: FacilityInput): Expansion {
  const errors: ModelError[] = [];
  const warnings: Array<{ path: string; message: string }> = [];
  const components = input.components;

  for (const [name, c] of Object.entries(components)) {
    if (!(SIMULATED_TYPES as readonly string[]).includes(c.type)) {
      errors.push(
        new ModelError(
          `components.${name}.type`,
          `type "${c.type}" validates but is not simulated in this version (simulated: ${SIMULATED_TYPES.join(', ')})`,
        ),
      );
    }
  }

  const loadsOf = (group: string) =>
    Object.entries(components).filter(([, c]) => c.type === 'load' && asList(c.input).includes(group));

  const groups: GroupSpec[] = [];
  for (const [name, c] of Object.entries(components)) {
    if (c.type !== 'group') continue;
    try {
      groups.push(expandGroup(name, c, loadsOf(name), warnings));
    } catch (err) {
      if (err instanceof ModelError) errors.push(err);
      else throw err;
    }
  }

  const subsystemsOf = new Map(groups.map((g) => [g.name, g.subsystems.map((s) => s.name)]));
  const loads: LoadSpec[] = [];
  for (const [name, c] of Object.entries(components)) {
    if (c.type !== 'load') continue;
    const cords: string[] = [];
    for (const source of asList(c.input)) {
      const subs = subsystemsOf.get(source);
      if (subs) cords.push(...subs);
      else if (components[source]?.type === 'group') continue; // its own error was reported
      else if (components[source]) {
        errors.push(new ModelError(`components.${name}.input`, `a load fed by "${source}" (type ${components[source]!.type}) is not simulated in this version`));
      }
    }
    loads.push({ name, powerKw: c.power ?? null, cords, recovery: c.recovery ?? null });
  }
  if (loads.length === 0) errors.push(new ModelError('components', 'the scenario has no component of type load, so there is no service to measure'));

  if (errors.length > 0) throw new AggregateModelError(errors);
  const crews: CrewSpec = {
    count: input.crews ? input.crews.count : Infinity,
    logisticsDelay: input.crews?.logistics_delay ?? null,
  };
  return { facility: { groups, loads, crews }, warnings };
}

export class AggregateModelError extends Error {
  constructor(readonly errors: ModelError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  }
}

function asList(x: string | string[] | undefined): string[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
}

function expandGroup(
  name: string,
  c: ComponentInput,
  loads: Array<[string, ComponentInput]>,
  warnings: Array<{ path: string; message: string }>,
): GroupSpec {
  const notation = String(c.redundancy ?? 'N');
  const r: Redundancy = parseRedundancy(notation);
  const path = `components.${name}`;
  if (r.form === 'distributed') {
    throw new ModelError(`${path}.redundancy`, `distributed redundancy ("${notation}") needs load groups and is simulated for facility UPS systems, not for a generic group, in this version`);
  }
  const capacity = c.unit?.capacity;
  const carried = loads.reduce((sum, [, l]) => sum + (l.power ?? 0), 0);
  const anyPower = loads.some(([, l]) => l.power !== undefined);

  let N: number;
  if (c.N !== undefined) N = c.N;
  else if (usesSymbolicN(r)) {
    if (capacity === undefined || !anyPower) {
      throw new ModelError(
        `${path}.redundancy`,
        `cannot compute N for "${notation}": give unit.capacity and the power of the loads it feeds, give N, or write N as a number (e.g. "3+1")`,
      );
    }
    N = Math.max(1, Math.ceil(carried / capacity - 1e-9));
  } else N = 0;

  const subsystems: SubsystemSpec[] = [];
  const makeSub = (subName: string, working: number, reserve: number): SubsystemSpec => ({
    name: subName,
    needed: working,
    units: Array.from({ length: working + reserve }, (_, i) => ({
      name: `${subName}.${i + 1}`,
      failure: c.unit?.failure ?? null,
      repair: c.unit?.repair ?? null,
    })),
  });
  if (r.form === 'single') {
    subsystems.push(makeSub(name, resolveCount(r.working, N), resolveCount(r.reserve, N)));
  } else {
    r.subsystems.forEach((s, i) => {
      subsystems.push(makeSub(`${name}.${SIDE_NAMES[i]}`, resolveCount(s.working, N), resolveCount(s.reserve, N)));
    });
  }
  for (const s of subsystems) {
    if (s.needed < 1) throw new ModelError(`${path}.redundancy`, `"${notation}" with N = ${N} leaves ${s.name} with no working unit`);
    if (capacity !== undefined && anyPower && s.needed * capacity < carried - 1e-9) {
      warnings.push({
        path: `${path}.redundancy`,
        message: `${s.name}: ${s.needed} working units of ${capacity} kW cannot carry ${carried} kW; there is no redundancy at that load`,
      });
    }
  }
  const resolvedN = N > 0 ? N : (subsystems[0]?.needed ?? 0);
  return { name, notation, N: resolvedN, subsystems };
}

/**
 * The facility: one schema per component `type` (SCENARIOS.md "Components"), with exactly the
 * keys documented there. References between components are checked across the file later.
 */
import { z } from 'zod';
import {
  ON_OBJECTS,
  capacity,
  checkShorthand,
  componentName,
  distribution,
  duration,
  failureKeys,
  failureProcess,
  foldFailures,
  boundedCount,
  LIMITS,
  withoutPrototype,
  notBoth,
  positiveDuration,
  power,
  probability,
  redundancy,
  reference,
  references,
  repairKeys,
  workingUnits,
  type SchemaContext,
} from './fields.js';

export const COMPONENT_TYPES = ['group', 'utility', 'generator', 'transfer_switch', 'ups', 'distribution', 'cooling', 'load'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

/** Component types that multiply into units and carry a redundancy notation. */
export const REDUNDANT_TYPES: readonly ComponentType[] = ['group', 'generator', 'ups', 'cooling'];

const kind = <T extends ComponentType>(type: T, description: string) =>
  z.literal(type).meta({ description: `Component type: ${description} Required.` });

const shared = () =>
  z.boolean().default(false).meta({
    description: 'True when this element really is single even behind a multi-system (one switchboard): it is not replicated per side and becomes a single point of failure. Default: false.',
  });

function group(ctx: SchemaContext) {
  return z.strictObject({
    type: kind('group', 'identical repairable units, all energised; up while at least N are up.'),
    redundancy: redundancy(),
    N: workingUnits(),
    unit: z
      .strictObject({
        capacity: capacity(ctx).optional().meta({ description: 'Capacity of one unit (kW). Default: none (N must then be written, e.g. "3+1").' }),
        ...failureKeys(ctx),
        ...repairKeys(ctx),
      })
      .superRefine(checkShorthand, ON_OBJECTS)
      .transform(foldFailures)
      .meta({ description: 'One unit of the group: capacity and failure/repair. Required.' }),
    shared: shared(),
  });
}

function interruptions(ctx: SchemaContext, what: string) {
  return z
    .strictObject({
      between: distribution(ctx).meta({ description: `Time from the end of one ${what} to the start of the next (the first starts one draw after t = 0). Required.` }),
      duration: distribution(ctx).meta({ description: `Length of one ${what}. Required.` }),
    })
    .optional();
}

function utility(ctx: SchemaContext) {
  return z.strictObject({
    type: kind('utility', 'the mains supply; alternates normal / outage, and independently normal / poor quality.'),
    outages: interruptions(ctx, 'outage').meta({ description: 'Outages: {between, duration}. Default: none (the utility never fails).' }),
    poor_quality: interruptions(ctx, 'poor-quality period').meta({
      description: 'Poor-quality (dirty power) periods: {between, duration}. Default: none.',
    }),
  });
}

function generatorTest(what: string) {
  return z
    .strictObject({
      every: positiveDuration().meta({ description: 'Interval between tests. Required.' }),
      duration: positiveDuration().meta({ description: 'Length of one test. Required.' }),
    })
    .optional()
    .meta({ description: `${what} Default: none.` });
}

function generator(ctx: SchemaContext) {
  return z.strictObject({
    type: kind('generator', 'gensets, idle until a transfer switch asks for power.'),
    redundancy: redundancy(),
    N: workingUnits(),
    unit: z
      .strictObject({
        capacity: capacity(ctx).meta({ description: 'Rating of one genset (kW, or kVA times power_factor). Required.' }),
        start_delay: duration().prefault(0).meta({ description: 'Time one start attempt takes until the unit carries load. Default: 0.' }),
        start_attempts: boundedCount(1, LIMITS.startAttempts).default(1).meta({ description: 'Start attempts per demand. Default: 1.' }),
        fail_to_start: probability().prefault(0).meta({ description: 'Probability that one start attempt fails. Default: 0.' }),
        fail_to_run: failureProcess(ctx, 'Failures while running: {mtbf} or {failure}; the clock runs only while the unit runs.')
          .optional()
          .meta({ description: 'Failures while running: {mtbf: 1500h} or {failure: distribution}. Default: none (never fails while running).' }),
        ...repairKeys(ctx),
        standby_failure: failureProcess(ctx, 'Hidden failures while idle: {mtbf} or {failure}.').optional().meta({
          description: 'Hidden failures while idle, revealed by a test or a demand: {mtbf} or {failure}. Default: none.',
        }),
        fuel: positiveDuration().optional().meta({ description: 'Running time on a full tank at full load. Default: none (unlimited).' }),
        refuel_after: duration().optional().meta({ description: 'A fuel delivery arrives this long after a run starts. Default: none (no delivery).' }),
      })
      .superRefine(checkShorthand, ON_OBJECTS)
      .transform(foldFailures)
      .meta({ description: 'One genset: rating, starting, failures while running or idle, repair, fuel. Required.' }),
    tests: z
      .strictObject({
        start: generatorTest('Start tests: reveal hidden failures; the load stays on utility.'),
        load: generatorTest('Load tests: open the utility breaker, behaving as a real outage.'),
      })
      .prefault({})
      .meta({ description: 'Periodic genset tests. Default: none.' }),
  });
}

function transferSwitch(ctx: SchemaContext) {
  return z
    .strictObject({
      type: kind('transfer_switch', 'feeds from primary; on a primary outage transfers to secondary.'),
      primary: reference('The normal source (a component name). Required.'),
      secondary: reference('The standby source, e.g. the gensets (a component name). Required.'),
      transfer: z
        .strictObject({
          delay: duration().prefault(0).meta({ description: 'Time one transfer takes. Default: 0.' }),
          fail: probability().prefault(0).meta({ description: 'Probability that a transfer fails (it sticks until repair or primary return). Default: 0.' }),
        })
        .prefault({})
        .meta({ description: 'Transfer to the secondary: {delay, fail}. Default: instantaneous and reliable.' }),
      retransfer_after: duration().prefault(0).meta({ description: 'The primary must be stable this long before the switch returns to it. Default: 0.' }),
      ...failureKeys(ctx),
      ...repairKeys(ctx),
    })
    .superRefine(checkShorthand, ON_OBJECTS)
    .transform(foldFailures);
}

function battery(ctx: SchemaContext) {
  return z
    .strictObject({
      autonomy: positiveDuration().meta({ description: "Runtime of each unit's battery at that unit's full rating. Required." }),
      shared: z.boolean().default(false).meta({
        description: "One shared cabinet (true) or a battery per unit (false: a failed unit's battery is lost). Default: false.",
      }),
      recharge: positiveDuration().prefault('8h').meta({ description: 'Time to recharge from empty to full, linearly, while the input is clean. Default: 8h.' }),
      fade_per_year: probability().prefault(0).meta({ description: 'Capacity lost per year of age: capacity = nominal x (1 - fade)^(age in years). Default: 0.' }),
      age: duration().optional().meta({ description: 'Battery age at the start of the run (or give health). Default: 0.' }),
      health: probability().optional().meta({ description: 'Remaining fraction of nominal capacity at the start (instead of age). Default: none (age 0).' }),
      replace_every: positiveDuration().optional().meta({ description: 'Batteries are replaced (age back to 0) when their age reaches this. Default: none (never).' }),
      ...failureKeys(ctx),
      ...repairKeys(ctx),
    })
    .superRefine(notBoth('age', 'health'), ON_OBJECTS)
    .superRefine(checkShorthand, ON_OBJECTS)
    .transform((value) => {
      const folded = foldFailures(value);
      return folded.health === undefined ? { ...folded, age: folded.age ?? 0 } : folded;
    })
    .optional()
    .meta({ description: 'Batteries: autonomy, sharing, recharge, ageing, failures (hidden until a discharge needs them). Default: none (no battery).' });
}

function ups(ctx: SchemaContext) {
  return z.strictObject({
    type: kind('ups', 'uninterruptible power supply: inverter from input or battery, static bypass.'),
    input: references('Where the rectifier input comes from: a component name (or a list). Required.'),
    bypass: reference('Static bypass source (a component name). Default: the input.').optional(),
    topology: z.enum(['parallel', 'hot_standby', 'power_parallel']).default('parallel').meta({
      description: 'parallel (N+X, load shared), hot_standby (master/slave in series), power_parallel (scaling: any unit failure stops the subsystem). Default: parallel.',
    }),
    redundancy: redundancy(),
    N: workingUnits(),
    unit: z
      .strictObject({
        capacity: capacity(ctx).meta({ description: 'Rating of one UPS unit (kW, or kVA times power_factor). Required.' }),
        ...failureKeys(ctx),
        ...repairKeys(ctx),
      })
      .superRefine(checkShorthand, ON_OBJECTS)
      .transform(foldFailures)
      .meta({ description: 'One UPS unit: rating, failure and repair. Required.' }),
    load_detection: z.boolean().default(false).meta({
      description: "parallel: keep carrying the load while working units' capacity >= load (true), or only while at least N units work (false). Default: false.",
    }),
    battery: battery(ctx),
    static_transfer: z
      .strictObject({
        fail: probability().prefault(0).meta({ description: 'Probability that a transfer to bypass fails (the load drops until the inverter is back). Default: 0.' }),
      })
      .prefault({})
      .meta({ description: 'Static transfer to bypass. Default: {fail: 0}.' }),
    bypass_poor_quality_is_down: z.boolean().default(false).meta({
      description: 'Count time on bypass with poor-quality mains as downtime. Default: false (reported as dirty_hours only).',
    }),
    maintenance_bypass: z.boolean().default(false).meta({ description: 'Allow servicing the whole UPS with the load on raw mains. Default: false.' }),
    severe_fraction: probability().prefault(0).meta({
      description: "hot_standby: fraction of master failures that also break its bypass and drop the load. Default: 0.",
    }),
    spread: z.enum(['cyclic', 'even']).default('cyclic').meta({
      description: 'kN/m systems: cyclic (group i on subsystems i and i+1) or even (one group per ordered pair, a lost subsystem spreads evenly). Default: cyclic.',
    }),
  });
}

function distributionElement(ctx: SchemaContext) {
  return z
    .strictObject({
      type: kind('distribution', 'switchboards, busways, cables: a series element, output = input while up.'),
      input: references('What feeds this element: a component name (or a list). Required.'),
      shared: shared(),
      ...failureKeys(ctx),
      ...repairKeys(ctx),
    })
    .superRefine(checkShorthand, ON_OBJECTS)
    .transform(foldFailures);
}

function cooling(ctx: SchemaContext) {
  return z.strictObject({
    type: kind('cooling', 'chillers or CRAHs: running capacity against the heat of the loads they cool.'),
    input: references('What powers the cooling units: a component name (or a list). Default: none (always powered).').optional(),
    redundancy: redundancy(),
    N: workingUnits(),
    unit: z
      .strictObject({
        capacity: capacity(ctx).meta({ description: 'Heat one unit removes (kW). Required.' }),
        power: power(ctx).prefault(0).meta({ description: 'Electricity one unit draws (kW). Default: 0.' }),
        ...failureKeys(ctx),
        ...repairKeys(ctx),
      })
      .superRefine(checkShorthand, ON_OBJECTS)
      .transform(foldFailures)
      .meta({ description: 'One cooling unit: capacity, power drawn, failure and repair. Required.' }),
    restart: duration().prefault(0).meta({ description: 'Time to restart after any interruption of its power. Default: 0.' }),
    ride_through: duration().prefault(0).meta({ description: 'Thermal inertia: how long the IT load survives insufficient cooling. Default: 0.' }),
  });
}

function load(ctx: SchemaContext) {
  return z.strictObject({
    type: kind('load', 'the IT load whose service is measured.'),
    power: power(ctx).optional().meta({ description: 'Power drawn (kW). Default: none (allowed when every N upstream is written as a number).' }),
    input: references('Where power comes from: a component name, or a list for several cords. Required.'),
    cooling: reference('The cooling component that removes its heat. Default: none (never overheats).').optional(),
    recovery: distribution(ctx).optional().meta({
      description: 'Service restart after any loss of service (power or thermal). Default: none (immediate).',
    }),
  });
}

/** All components, by name. */
export function components(ctx: SchemaContext) {
  const component = z.discriminatedUnion('type', [
    group(ctx),
    utility(ctx),
    generator(ctx),
    transferSwitch(ctx),
    ups(ctx),
    distributionElement(ctx),
    cooling(ctx),
    load(ctx),
  ]);
  return z
    .record(componentName(), component)
    .transform(withoutPrototype)
    .prefault({})
    .meta({
      description: 'The facility: named components, each with a type (group, utility, generator, transfer_switch, ups, distribution, cooling, load). Names start with a letter and hold letters, digits, "_" and "-". Default: none.',
    });
}

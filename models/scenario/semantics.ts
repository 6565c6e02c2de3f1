/**
 * Checks across the file that no single key can make: references name existing components,
 * the reference graph is acyclic, names are unique, a sweep varies something the file sets.
 *
 * `crossCheck` reads the raw document, tolerating any shape, so it runs even when the schema
 * has found other mistakes and the user sees them all at once. `advise` warns about things that
 * are valid but probably not meant, on the normalised scenario.
 */
import { redundancyNotes } from '../redundancy.js';
import { COMPONENT_TYPES, REDUNDANT_TYPES } from './components.js';
import { LIMITS } from './fields.js';
import type { Locator, PathKey } from './locate.js';
import * as m from './messages.js';
import type { Problem } from './problems.js';
import type { Scenario } from './schema.js';
import { closest } from './suggest.js';
import { KNOWN_METRICS, compareLsfTimes, parseLsfTime } from './syntax.js';

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asRecord = (value: unknown): Raw => (isRecord(value) ? value : {});

/** Reference keys inside a component and what they must name. */
const REFERENCE_KEYS = ['input', 'bypass', 'primary', 'secondary', 'cooling'] as const;

/** Expanded part of a component: a side letter and/or a 1-based unit number (ups.a, ups.a.1, modules.3). */
const EXPANDED_SUFFIX = /^(?:\.[a-z])?(?:\.[1-9]\d*)?$/;

interface Edge {
  from: string;
  to: string;
  path: PathKey[];
}

class Checker {
  readonly problems: Problem[] = [];
  private readonly components: Raw;
  private readonly names: string[];

  constructor(
    private readonly raw: Raw,
    private readonly locator: Locator,
  ) {
    this.components = asRecord(raw.components);
    this.names = Object.keys(this.components);
  }

  error(path: PathKey[], message: string): void {
    this.problems.push(this.locator.problem(path, message));
  }

  warn(path: PathKey[], message: string): void {
    this.problems.push(this.locator.problem(path, message, { severity: 'warning' }));
  }

  typeOf(name: string): string | undefined {
    const type = asRecord(this.components[name]).type;
    return typeof type === 'string' && (COMPONENT_TYPES as readonly string[]).includes(type) ? type : undefined;
  }

  /** Reports `name` at `path` unless it is a component; true when it is. */
  exists(name: string, path: PathKey[]): boolean {
    if (Object.hasOwn(this.components, name)) return true;
    this.error(path, m.unknownReference(name, closest(name, this.names)));
    return false;
  }

  /** A component or an expanded part of one (maintenance targets, common-cause members). */
  part(target: unknown, path: PathKey[]): void {
    if (typeof target !== 'string' || target === '') return;
    const base = target.split('.')[0] ?? '';
    if (!this.exists(base, path)) return;
    if (!EXPANDED_SUFFIX.test(target.slice(base.length))) this.error(path, m.expandedName(target));
  }

  componentReferences(): Edge[] {
    const edges: Edge[] = [];
    for (const name of this.names) {
      const component = asRecord(this.components[name]);
      const type = this.typeOf(name);
      for (const key of REFERENCE_KEYS) {
        const value = component[key];
        const listed = Array.isArray(value)
          ? value.map((item, i) => ({ item, path: ['components', name, key, i] as PathKey[] }))
          : [{ item: value, path: ['components', name, key] as PathKey[] }];
        const seen = new Set<string>();
        for (const { item, path } of listed) {
          if (typeof item !== 'string' || item === '') continue;
          if (seen.has(item)) this.error(path, m.duplicateReference(item));
          seen.add(item);
          if (!this.exists(item, path)) continue;
          edges.push({ from: name, to: item, path });
          const target = this.typeOf(item);
          if (target === undefined) continue;
          if (key === 'cooling' && target !== 'cooling') this.error(path, m.referenceToWrongType(item, target, 'a cooling component'));
          if (key !== 'cooling' && (target === 'load' || target === 'cooling')) {
            this.error(path, m.referenceToWrongType(item, target, 'a power source'));
          }
        }
      }
      if (type === 'transfer_switch' && typeof component.primary === 'string' && component.primary === component.secondary) {
        this.error(['components', name, 'secondary'], m.sameSource(component.primary));
      }
      const notation = component.redundancy;
      if (type !== undefined && REDUNDANT_TYPES.includes(type as never) && (typeof notation === 'string' || typeof notation === 'number')) {
        for (const note of redundancyNotes(String(notation))) this.warn(['components', name, 'redundancy'], note);
      }
    }
    return edges;
  }

  /** Every cycle once, named in the order the references run, reported at its first reference. */
  cycles(edges: readonly Edge[]): void {
    const outgoing = new Map<string, Edge[]>();
    for (const edge of edges) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
    const state = new Map<string, 'open' | 'done'>();
    const stack: Edge[] = [];
    const reported = new Set<string>();
    const visit = (name: string): void => {
      state.set(name, 'open');
      for (const edge of outgoing.get(name) ?? []) {
        const next = state.get(edge.to);
        if (next === 'open') {
          const start = stack.findIndex((e) => e.from === edge.to);
          const loop = [...stack.slice(start === -1 ? stack.length : start), edge];
          const key = loop.map((e) => e.from).sort().join('\0');
          if (!reported.has(key)) {
            reported.add(key);
            const first = loop[0] ?? edge;
            this.error(first.path, m.referenceCycle([...loop.map((e) => e.from), edge.to]));
          }
        } else if (next === undefined) {
          stack.push(edge);
          visit(edge.to);
          stack.pop();
        }
      }
      state.set(name, 'done');
    };
    for (const name of this.names) if (!state.has(name)) visit(name);
  }

  maintenanceAndCommonCause(): void {
    asList(this.raw.maintenance).forEach((entry, i) => this.part(asRecord(entry).target, ['maintenance', i, 'target']));
    asList(this.raw.common_cause).forEach((entry, i) =>
      asList(asRecord(entry).group).forEach((member, j) => this.part(member, ['common_cause', i, 'group', j])),
    );
  }

  cluster(): void {
    if (!isRecord(this.raw.cluster)) return;
    const cluster = this.raw.cluster;
    const hostGpus = new Map<string, number>();
    const prefixes = new Set<string>();
    asList(cluster.hosts).forEach((entry, i) => {
      const host = asRecord(entry);
      const path: PathKey[] = ['cluster', 'hosts', i];
      if (typeof host.load === 'string' && host.load !== '' && this.exists(host.load, [...path, 'load'])) {
        const type = this.typeOf(host.load);
        if (type !== undefined && type !== 'load') this.error([...path, 'load'], m.referenceToWrongType(host.load, type, 'a load'));
      }
      if (typeof host.name !== 'string') return;
      if (prefixes.has(host.name)) this.error([...path, 'name'], m.duplicateName('host class', host.name));
      prefixes.add(host.name);
      const count = Number.isInteger(host.count) ? Number(host.count) : 1;
      const gpus = Number.isInteger(host.gpus) ? Number(host.gpus) : 1;
      for (let k = 1; k <= Math.min(count, 100_000); k++) hostGpus.set(`${host.name}-${k}`, gpus);
    });
    const groups = Object.keys(asRecord(cluster.groups));
    const reservationNames = new Set<string>();
    asList(cluster.reservations).forEach((entry, i) => {
      const reservation = asRecord(entry);
      const path: PathKey[] = ['cluster', 'reservations', i];
      if (typeof reservation.name === 'string') {
        if (reservationNames.has(reservation.name)) this.error([...path, 'name'], m.duplicateName('reservation', reservation.name));
        reservationNames.add(reservation.name);
      }
      asList(reservation.groups).forEach((group, j) => {
        if (typeof group === 'string' && !groups.includes(group)) this.error([...path, 'groups', j], m.unknownGroup(group, closest(group, groups)));
      });
      let available = 0;
      let allKnown = true;
      const hosts = asList(reservation.hosts);
      hosts.forEach((host, j) => {
        if (typeof host !== 'string') return;
        const gpus = hostGpus.get(host);
        if (gpus === undefined) this.error([...path, 'hosts', j], m.unknownHost(host, closest(host, hostGpus.keys())));
        else available += gpus;
        allKnown &&= gpus !== undefined;
      });
      if (hosts.length === 0) available = [...hostGpus.values()].reduce((sum, gpus) => sum + gpus, 0);
      if (typeof reservation.created === 'string' && typeof reservation.begin === 'string') {
        const created = parseLsfTime(reservation.created);
        const begin = parseLsfTime(reservation.begin);
        if (created && begin && created.length === begin.length && compareLsfTimes(created, begin) > 0) {
          this.error([...path, 'created'], m.createdAfterBegin(reservation.created, reservation.begin));
        }
      }
      const slots = reservation.slots;
      // Slots are judged only against hosts that exist: an unknown host is the mistake to report.
      if (typeof slots === 'number' && Number.isInteger(slots) && allKnown && hostGpus.size > 0 && slots > available) {
        this.error([...path, 'slots'], m.slotsExceedHosts(slots, available));
      }
    });
    asList(asRecord(cluster.workload).jobs).forEach((entry, i) => {
      const name = asRecord(entry).reservation;
      if (typeof name === 'string' && name !== '' && !reservationNames.has(name)) {
        this.error(['cluster', 'workload', 'jobs', i, 'reservation'], m.unknownReservation(name, closest(name, reservationNames)));
      }
    });
  }

  sweep(): void {
    const parameter = asRecord(this.raw.sweep).parameter;
    if (typeof parameter !== 'string' || parameter === '') return;
    const path: PathKey[] = ['sweep', 'parameter'];
    const keys = parameter.split('.');
    if (keys[0] === 'sweep') {
      this.error(path, m.sweepOfSweep());
      return;
    }
    let node: unknown = this.raw;
    for (let depth = 0; depth < keys.length; depth++) {
      const key = keys[depth] ?? '';
      const container = node;
      node = Array.isArray(container) ? container[Number(key)] : isRecord(container) ? container[key] : undefined;
      if (node !== undefined && (isRecord(container) ? Object.hasOwn(container, key) : /^\d+$/.test(key))) continue;
      const near = isRecord(container) ? closest(key, Object.keys(container)) : undefined;
      const suggestion = near === undefined ? undefined : [...keys.slice(0, depth), near, ...keys.slice(depth + 1)].join('.');
      this.error(path, m.sweepPathMissing(parameter, suggestion));
      return;
    }
  }
}

/** Reference, uniqueness and sweep checks on the raw document (any shape). */
export function crossCheck(raw: unknown, locator: Locator): Problem[] {
  if (!isRecord(raw)) return [];
  const checker = new Checker(raw, locator);
  checker.cycles(checker.componentReferences());
  checker.maintenanceAndCommonCause();
  checker.cluster();
  checker.sweep();
  return checker.problems;
}

/** Warnings about a valid scenario: likely typos that would not stop a run. */
/**
 * Errors on sizes the expansion would build one unit at a time: N computed from the load
 * (ceil(power carried / unit capacity)) may not exceed LIMITS.units. The power carried is
 * bounded above by every load plus every cooling unit the heat could call for, so a real
 * design is never refused; `power: 1e9kW` on 1 W units is, at its line, before anything is built.
 */
export function sizeProblems(scenario: Scenario, locator: Locator): Problem[] {
  type Unit = { capacity?: number; power?: number };
  type Component = { type: string; N?: number; unit?: Unit; power?: number };
  const components = Object.entries(scenario.components as Record<string, Component>);
  const loads = components.reduce((sum, [, c]) => sum + (c.type === 'load' ? (c.power ?? 0) : 0), 0);
  let carried = loads;
  for (const [, c] of components) {
    const capacity = c.unit?.capacity ?? 0;
    if (c.type === 'cooling' && capacity > 0) carried += (c.unit?.power ?? 0) * (Math.ceil(loads / capacity) + 1) * 2;
  }
  const problems: Problem[] = [];
  for (const [name, c] of components) {
    const capacity = c.unit?.capacity;
    if (c.N !== undefined || capacity === undefined || !(capacity > 0)) continue;
    const n = Math.ceil(carried / capacity);
    if (!(n <= LIMITS.units)) problems.push(locator.problem(['components', name, 'unit', 'capacity'], m.tooManyUnits(n, LIMITS.units)));
  }
  return problems;
}

export function advise(scenario: Scenario, locator: Locator): Problem[] {
  const problems: Problem[] = [];
  const warn = (path: PathKey[], message: string) => problems.push(locator.problem(path, message, { severity: 'warning' }));
  const metrics: readonly string[] = KNOWN_METRICS;
  scenario.expect.forEach((gate, i) => {
    if (!metrics.includes(gate.metric)) warn(['expect', i], m.unknownMetric(gate.metric, closest(gate.metric, metrics)));
  });
  const precision = scenario.simulation.precision;
  if (precision && !metrics.includes(precision.metric)) {
    warn(['simulation', 'precision', 'metric'], m.unknownMetric(precision.metric, closest(precision.metric, metrics)));
  }
  if (scenario.sweep) {
    const swept = new Set(scenario.sweep.values.map(String));
    for (const [label, values] of Object.entries(scenario.sweep.reference)) {
      for (const key of Object.keys(values)) {
        if (!swept.has(key)) warn(['sweep', 'reference', label, key], m.sweepReferenceNotSwept(key));
      }
    }
  }
  const servers = scenario.cluster?.servers;
  if (servers) {
    const models = new Set(scenario.cluster?.hosts.map((host) => host.gpu_model));
    models.add(servers.gpu_model);
    for (const model of Object.keys(servers.transitions.ecc_check)) {
      if (!models.has(model)) warn(['cluster', 'servers', 'transitions', 'ecc_check', model], m.unusedEccModel(model));
    }
  }
  return problems;
}

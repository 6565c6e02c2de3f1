/**
 * Headless rendering of chart specs: Vega-Lite compiles a spec to Vega, Vega renders it to an SVG
 * string with no DOM, canvas or browser (renderer "none" plus toSVG). Specs carry their data
 * inline, so the loader refuses every request: a spec that tries to fetch anything fails loudly
 * instead of reaching the network.
 */
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { NamedChart } from './charts.js';
import { safeName, writeFileAtomic } from './files.js';

export class ChartRenderError extends Error {}

/**
 * A loader that never loads (data must be inline) and notes every attempt: Vega only logs a
 * failed load, so renderChart checks the notes and fails.
 */
function noNetwork(attempts: string[]): vega.Loader {
  const refuse = (what: string) => {
    attempts.push(what);
    return Promise.reject(new ChartRenderError(`chart tried to load ${what}; chart data must be inline`));
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

/** Collects what Vega-Lite and Vega would print, so callers (and tests) see it. */
function collectingLogger(messages: string[]) {
  let level = vega.Warn;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      messages.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: unknown[]) {
      messages.push(`warn: ${args.map(String).join(' ')}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

export interface Rendered {
  svg: string;
  /** Warnings of Vega-Lite's compiler and of the Vega runtime (empty for a clean chart). */
  warnings: string[];
}

/** Compiles and renders one spec to SVG, with the warnings it raised. */
export async function renderChart(spec: TopLevelSpec): Promise<Rendered> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const attempts: string[] = [];
  // Vega tags the data objects it ingests: compile a copy, so the caller's spec stays as written.
  const compiled = compile(JSON.parse(JSON.stringify(spec)) as TopLevelSpec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: noNetwork(attempts), logger, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    if (attempts.length > 0) throw new ChartRenderError(`chart tried to load ${attempts.join(', ')}; chart data must be inline`);
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

/** The SVG of one spec. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  return (await renderChart(spec)).svg;
}

/**
 * Writes every chart as `<dir>/charts/<name>.vl.json` (the spec, pretty-printed) and
 * `<dir>/charts/<name>.svg`, each atomically. Returns the paths written.
 */
export async function writeCharts(dir: string, charts: NamedChart[]): Promise<string[]> {
  const written: string[] = [];
  for (const chart of charts) {
    const base = join(dir, 'charts', safeName(chart.name));
    const svg = await renderSvg(chart.spec);
    writeFileAtomic(`${base}.vl.json`, JSON.stringify(chart.spec, null, 2) + '\n');
    writeFileAtomic(`${base}.svg`, svg);
    written.push(`${base}.vl.json`, `${base}.svg`);
  }
  return written;
}

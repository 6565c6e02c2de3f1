/**
 * `resim check` through the built CLI (CLI.md exit codes, SCENARIOS.md three-valued gates).
 *
 * The fixtures (test/fixtures/check) are one utility feeding a load, down for Exp(2 h) after every
 * Exp(100 h) up: an alternating renewal process whose long-run unavailability is 2/102, so the
 * mean downtime is 8760 x 2/102 = 171.8 h/yr, with a standard deviation of 25.7 h/yr (Takacs:
 * Var ~ T (s_u^2 m_d^2 + s_d^2 m_u^2) / (m_u + m_d)^3) and a p95 of 215.6 h/yr (2,000,000 simulated
 * years, standard error 0.04 h). Every run is seeded, so each verdict below is fixed; the comments
 * give the chance that an arbitrary seed would give another verdict (the false-failure rate).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { checkMessages as m } from '../cli/messages.js';
import { quantileInterval, tQuantile } from '../sim/stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const FIXTURES = join(ROOT, 'test/fixtures/check');
const fixture = (name: string) => join(FIXTURES, name);

function resim(args: string[], env: Record<string, string | undefined> = { NO_COLOR: '1' }) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'resim-check-'));
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const rows = (text: string) => parseCsv(text, { columns: true }) as Array<Record<string, string>>;

interface GateJson {
  gate: string;
  threshold: number;
  verdict: string;
  estimate: number;
  ci_low: number;
  ci_high: number;
  replications_needed: number | null;
  message: string;
}
interface ComparisonJson {
  metric: string;
  worse: 'higher' | 'lower';
  current_mean: number;
  baseline_mean: number;
  t: number;
  p: number;
  p_holm: number;
  regression: boolean;
}
interface ResultJson {
  scenario: string;
  verdict: string;
  confidence: number;
  replications: number;
  gates: GateJson[];
  baseline: { comparisons: ComparisonJson[] } | null;
}
interface CheckJson {
  verdict: string;
  exit_code: number;
  results: ResultJson[];
}

/** `resim check ... --json`, parsed. */
function checkJson(args: string[]): { code: number | null; json: CheckJson; stderr: string } {
  const r = resim(['check', ...args, '--json', '--quiet']);
  expect(r.stdout, r.stderr).not.toBe('');
  return { code: r.code, json: JSON.parse(r.stdout) as CheckJson, stderr: r.stderr };
}

describe('gates on the p95 of yearly downtime (exact p95 215.6 h/yr, 100 replications)', () => {
  it('clearly above its gate (p95 <= 150) fails: exit 1', () => {
    // 150 h/yr is the 0.20 quantile; the interval's lower end is the 90th of 100 sorted values,
    // below 150 only if 90 of 100 years are, probability < 1e-50.
    const { code, json } = checkJson([fixture('p95-above.yaml'), '--out', tmp()]);
    expect(code).toBe(1);
    const gate = json.results[0]!.gates[0]!;
    expect(gate.verdict).toBe('fail');
    expect(gate.ci_low).toBeGreaterThan(150);
  });

  it('clearly below its gate (p95 <= 400) passes: exit 0', () => {
    // The upper end is the largest of the 100 values; none of 2,000,000 simulated years exceeded 320 h.
    const { code, json } = checkJson([fixture('p95-below.yaml'), '--out', tmp()]);
    expect(code).toBe(0);
    expect(json.results[0]!.gates[0]!.ci_high).toBeLessThan(400);
  });

  it('on the edge (p95 <= 215.6) with few replications is inconclusive: exit 3, and the interval is the order-statistic one', () => {
    // With 100 values the 95% interval of the p95 is [x(90), x(100)]: it misses the true p95 below
    // with probability P(Bin(100, 0.95) <= 89) = 1.1% and above with 0.95^100 = 0.6%, so an arbitrary
    // seed gives another verdict 1.7% of the time.
    const out = tmp();
    const { code, json } = checkJson([fixture('p95-edge.yaml'), '--out', out]);
    expect(code).toBe(3);
    const gate = json.results[0]!.gates[0]!;
    expect(gate.verdict).toBe('inconclusive');
    const sorted = Float64Array.from(rows(read(out, 'replications.csv')), (r) => Number(r.downtime_hours)).sort();
    const interval = quantileInterval(sorted, 0.95);
    expect([gate.ci_low, gate.ci_high]).toEqual([interval.low, interval.high]);
    const summary = rows(read(out, 'summary.csv')).find((r) => r.metric === 'downtime_hours')!;
    expect(gate.estimate).toBe(Number(summary.p95));
  });

  it('an inconclusive gate names the estimate, its interval, the threshold and the replications that would settle it', () => {
    const { json } = checkJson([fixture('p95-edge.yaml'), '--out', tmp()]);
    const gate = json.results[0]!.gates[0]!;
    const n = json.results[0]!.replications;
    // n_needed ~ n (half-width reaching across the threshold / |estimate - threshold|)^2, rounded up to 2 digits.
    const across = gate.estimate < gate.threshold ? gate.ci_high - gate.estimate : gate.estimate - gate.ci_low;
    const formula = n * (across / Math.abs(gate.estimate - gate.threshold)) ** 2;
    expect(gate.replications_needed).toBeGreaterThanOrEqual(formula);
    expect(gate.replications_needed).toBeLessThanOrEqual(formula * 1.1);
    const line = m.gateLine(
      'inconclusive',
      'downtime_hours.p95 <= 215.6',
      `${m.estimate(gate.estimate, 'h/yr', gate.ci_low, gate.ci_high, 0.95)} ${m.straddles(215.6)}; ${m.settleWith(gate.replications_needed!, n)}`,
    );
    expect(gate.message).toBe(line);
    // The text output (not a TTY, NO_COLOR unset) carries the same line, without colour codes.
    const text = resim(['check', fixture('p95-edge.yaml'), '--out', tmp()], { NO_COLOR: undefined });
    expect(text.stdout.split('\n')).toContain(line);
    expect(text.stdout).toMatch(/95% confidence/);
    expect(text.stdout.includes('\u001b')).toBe(false);
  });
});

describe('ci_low / ci_high gates compare the bound itself', () => {
  it('at the same threshold, "mean <= 171.7" is inconclusive where "ci_high <= 171.7" fails (exit 1)', () => {
    // Both verdicts hold whenever the 95% interval contains 171.7 h/yr (the exact mean 171.73 less
    // 0.03): 95% of seeds.
    const { code, json } = checkJson([fixture('ci-bound.yaml'), '--out', tmp()]);
    expect(code).toBe(1);
    const [mean, bound] = json.results[0]!.gates;
    expect(mean!.ci_low).toBeLessThan(171.7);
    expect(mean!.ci_high).toBeGreaterThan(171.7);
    expect(mean!.verdict).toBe('inconclusive');
    expect(bound!.verdict).toBe('fail');
    expect(bound!.estimate).toBe(mean!.ci_high);
  });
});

it('a scenario whose precision block sets 90% confidence is judged at 90%', () => {
  const out = tmp();
  const { code, json } = checkJson([fixture('precision-90.yaml'), '--out', out]);
  expect(code).toBe(0);
  const result = json.results[0]!;
  expect(result.confidence).toBe(0.9);
  const gate = result.gates[0]!;
  expect(gate.message).toMatch(/90% CI/);
  // summary.csv holds the 95% interval; the 90% one has the same centre and t_{0.95}/t_{0.975} of its half-width.
  const s = rows(read(out, 'summary.csv')).find((r) => r.metric === 'downtime_hours')!;
  const n = Number(s.n);
  const half = ((Number(s.ci_high) - Number(s.ci_low)) / 2) * (tQuantile(0.95, n - 1) / tQuantile(0.975, n - 1));
  expect(gate.ci_low).toBeCloseTo(Number(s.mean) - half, 9);
  expect(gate.ci_high).toBeCloseTo(Number(s.mean) + half, 9);
});

describe('JUnit XML', () => {
  it('parses, and has one testcase per gate: <failure> for FAIL, <skipped> for INCONCLUSIVE, names escaped', () => {
    const dir = tmp();
    const file = join(dir, 'junit.xml');
    const r = resim(['check', fixture('three-gates.yaml'), '--out', join(dir, 'out'), '--junit', file, '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    const xml = read(file);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const suites = doc.testsuites.testsuite as Array<Record<string, unknown> & { testcase: Array<Record<string, unknown>> }>;
    const name = `check <&> "three" 'gates'`;
    expect(suites.map((s) => s.name)).toEqual([name]);
    const cases = suites[0]!.testcase;
    expect(cases.map((c) => c.name)).toEqual(['downtime_hours.mean <= 200', 'downtime_hours.p95 <= 150', 'downtime_hours.p95 <= 215.6']);
    expect(cases.every((c) => c.classname === name)).toBe(true);
    expect(cases.map((c) => [c.failure !== undefined, c.skipped !== undefined])).toEqual([
      [false, false],
      [true, false],
      [false, true],
    ]);
    expect((cases[1]!.failure as Record<string, string>).message).toMatch(/^FAIL downtime_hours.p95 <= 150: .* lies entirely above the threshold 150$/);
    expect((cases[2]!.skipped as Record<string, string>).message).toMatch(/^INCONCLUSIVE downtime_hours.p95 <= 215.6: .*replications/);
    expect([suites[0]!.tests, suites[0]!.failures, suites[0]!.skipped]).toEqual(['3', '1', '1']);
  });
});

describe('several files: the worst verdict wins', () => {
  it('pass + inconclusive exits 3; pass + inconclusive + fail exits 1, with one JUnit suite and one results folder per scenario', () => {
    const two = resim(['check', fixture('p95-below.yaml'), fixture('p95-edge.yaml'), '--out', tmp(), '--quiet']);
    expect(two.code, two.stderr).toBe(3);
    expect(two.stdout.split('\n')).toContain(m.verdict('inconclusive', 3));

    const dir = tmp();
    const three = resim(['check', fixture('p95-below.yaml'), fixture('p95-edge.yaml'), fixture('p95-above.yaml'), '--out', dir, '--junit', join(dir, 'j.xml'), '--quiet']);
    expect(three.code, three.stderr).toBe(1);
    for (const s of ['check-p95-below', 'check-p95-edge', 'check-p95-above']) expect(existsSync(join(dir, s, 'summary.csv'))).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' }).parse(read(dir, 'j.xml'));
    expect((doc.testsuites.testsuite as Array<{ name: string }>).map((s) => s.name)).toEqual(['check-p95-below', 'check-p95-edge', 'check-p95-above']);
  });
});

describe('bad input: exit 2 before anything runs', () => {
  it('a scenario without gates, and a quantile of a ratio metric, are both reported and nothing is written', () => {
    const out = tmp();
    const r = resim(['check', fixture('no-gates.yaml'), fixture('ratio-quantile.yaml'), fixture('p95-below.yaml'), '--out', join(out, 'o')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(m.noGates());
    expect(r.stderr).toContain(m.quantileNotAvailable('mtbf_hours', 'p95'));
    expect(existsSync(join(out, 'o'))).toBe(false);
  });
});

describe('--baseline', () => {
  let base = '';
  beforeAll(() => {
    base = join(tmp(), 'base');
    const r = resim(['run', fixture('baseline.yaml'), '--out', base, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the same scenario with longer outages (3 h instead of 2 h) is a regression: exit 1 although its gate passes', () => {
    // 255 vs 172 h/yr with standard errors of about 3 h/yr each: t ~ 20, never missed.
    const args = [fixture('baseline-worse.yaml'), '--out', tmp(), '--baseline', base];
    const { code, json } = checkJson(args);
    expect(code).toBe(1);
    const result = json.results[0]!;
    expect(result.gates.map((g) => g.verdict)).toEqual(['pass']);
    const c = result.baseline!.comparisons.find((x) => x.metric === 'downtime_hours')!;
    expect(c.regression).toBe(true);
    expect(c.worse).toBe('higher');
    expect(c.current_mean).toBeGreaterThan(240);
    expect(c.baseline_mean).toBeLessThan(185);
    expect(result.baseline!.comparisons.find((x) => x.metric === 'availability')).toMatchObject({ worse: 'lower', regression: true });
    const tests = result.baseline!.comparisons.length;
    const text = resim(['check', ...args]);
    expect(text.code).toBe(1);
    expect(text.stdout.split('\n')).toContain(m.comparison(true, 'downtime_hours', 'h/yr', c.current_mean, c.baseline_mean, 'higher', c.p, c.p_holm, tests, 1 - 0.95));
  });

  it('the same run as its own baseline (given as its summary.csv) is not flagged: exit 0', () => {
    // Same scenario and seed: identical values, every difference exactly 0.
    const { code, json } = checkJson([fixture('baseline.yaml'), '--out', tmp(), '--baseline', join(base, 'summary.csv')]);
    expect(code).toBe(0);
    const comparisons = json.results[0]!.baseline!.comparisons;
    expect(comparisons.length).toBeGreaterThanOrEqual(8);
    expect(comparisons.every((c) => c.t === 0 && !c.regression)).toBe(true);
  });

  it('the unchanged scenario run with another seed is not flagged: exit 0', () => {
    // Independent runs of the same model: Holm's procedure keeps the chance of any flag at or
    // below 5% whatever the number of (correlated) metrics.
    const { code, json } = checkJson([fixture('baseline.yaml'), '--out', tmp(), '--seed', '4242', '--baseline', base]);
    expect(code).toBe(0);
    expect(json.results[0]!.baseline!.comparisons.some((c) => c.regression)).toBe(false);
  });

  it('a baseline of another scenario, or a missing one, is refused with exit 2 before anything runs', () => {
    const out = join(tmp(), 'o');
    const other = resim(['check', fixture('other.yaml'), '--out', out, '--baseline', base]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(m.baselineOtherScenario(base, 'check-baseline', 'check-other'));
    const missing = join(tmp(), 'nothing-here');
    const none = resim(['check', fixture('baseline.yaml'), '--out', out, '--baseline', missing]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(m.baselineMissing(missing, 'no such folder'));
    expect(existsSync(out)).toBe(false);
  });
});

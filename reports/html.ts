/**
 * report.html: one self-contained page (CLI.md "Results folder"): no script, no stylesheet, no
 * image or font from anywhere else, so it opens offline and can be mailed as one file. It holds
 * the summary table, the Tier verdict and the cost, the charts as inline SVG, the downtime by
 * cause, and the scenario file as it was read.
 *
 * Every number of the summary table also sits, exact, in a `data-value` attribute beside its
 * metric and statistic (`data-metric`, `data-stat`), so tools and tests can read the page.
 */
import { shortNumber } from './format.js';

export interface ReportRow {
  metric: string;
  unit: string;
  mean: number;
  ci_low: number;
  ci_high: number;
  p95: number;
}

export interface ReportInput {
  scenario: string;
  description: string;
  /** "400 replications x 1 y, seed 7, ..." */
  runLine: string;
  rows: ReportRow[];
  /** Lines of notes: Tier verdict with its reasons, cost, precision, warnings. */
  notes: string[];
  causes: Array<{ cause: string; incidents: number; downtime_hours: number; share: number }>;
  charts: Array<{ name: string; title: string; svg: string }>;
  /** The scenario file's text. */
  scenarioText: string;
  scenarioFile: string;
  version: string;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
.lead { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .7rem; border-bottom: 1px solid #eaeef2; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
thead th { border-bottom: 2px solid #d0d7de; }
.notes li { margin: .2rem 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; }
figcaption { color: #57606a; font-size: .9rem; }
pre { background: #f6f8fa; padding: 1rem; overflow-x: auto; font-size: .85rem; }
footer { color: #57606a; font-size: .85rem; margin-top: 2rem; }
`;

function cell(metric: string, stat: string, value: number): string {
  const shown = Number.isFinite(value) ? shortNumber(value) : Number.isNaN(value) ? '-' : value > 0 ? 'inf' : '-inf';
  return `<td data-metric="${escapeHtml(metric)}" data-stat="${stat}" data-value="${Number.isNaN(value) ? '' : String(value)}">${shown}</td>`;
}

export function reportHtml(r: ReportInput): string {
  const rows = r.rows
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.metric)}</td><td>${escapeHtml(row.unit)}</td>${cell(row.metric, 'mean', row.mean)}${cell(row.metric, 'ci_low', row.ci_low)}${cell(row.metric, 'ci_high', row.ci_high)}${cell(row.metric, 'p95', row.p95)}</tr>`,
    )
    .join('\n');
  const causes =
    r.causes.length === 0
      ? ''
      : `<h2>Downtime by root cause</h2>
<table class="causes"><thead><tr><th>cause</th><th>incidents per year</th><th>downtime h/yr</th><th>share</th></tr></thead><tbody>
${r.causes
  .slice(0, 20)
  .map((c) => `<tr><td>${escapeHtml(c.cause)}</td><td>${shortNumber(c.incidents)}</td><td>${shortNumber(c.downtime_hours)}</td><td>${(100 * c.share).toFixed(1)}%</td></tr>`)
  .join('\n')}
</tbody></table>`;
  const charts =
    r.charts.length === 0
      ? ''
      : `<h2>Charts</h2>
<div class="charts">
${r.charts.map((c) => `<figure id="chart-${escapeHtml(c.name)}">${c.svg}<figcaption>${escapeHtml(c.title)}</figcaption></figure>`).join('\n')}
</div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.scenario)}: resim report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(r.scenario)}</h1>
<p class="lead">${escapeHtml(r.description)}</p>
<p>${escapeHtml(r.runLine)}</p>
<h2>Summary</h2>
<table class="summary"><thead><tr><th>metric</th><th>unit</th><th>mean</th><th>95% CI low</th><th>95% CI high</th><th>p95</th></tr></thead><tbody>
${rows}
</tbody></table>
${r.notes.length > 0 ? `<ul class="notes">${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
${charts}
${causes}
<h2>Scenario</h2>
<p>${escapeHtml(r.scenarioFile)}</p>
<pre>${escapeHtml(r.scenarioText)}</pre>
<footer>resim ${escapeHtml(r.version)}. Means with 95% confidence intervals over independent replications; per-year figures per 8760 h of simulated time.</footer>
</body>
</html>
`;
}

/**
 * The HTML coverage report: one self-contained file (inline CSS and SVG, no script, a Content
 * Security Policy that forbids any fetch), readable offline. Every user-controlled text (names,
 * ARNs, tags, messages, selector values) is escaped.
 */
import { describeEvent } from '../policy/describe.js';
import type { CloudTrailEvent } from '../selectors/index.js';
import type { Cell, CoverageMatrix } from './coverage.js';
import { type Report, type ReportFinding, SEVERITY_ORDER } from './types.js';

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
const e = escapeHtml;

const STATUSES = ['FAIL', 'ERROR', 'SUPPRESSED', 'SKIPPED', 'PASS'] as const;
const STATUS_COLOR: Record<string, string> = {
  PASS: '#2e7d32',
  FAIL: '#c62828',
  ERROR: '#ef6c00',
  SKIPPED: '#9e9e9e',
  SUPPRESSED: '#6d4c41',
};
const KEY: Record<string, keyof Report['summary']> = {
  PASS: 'pass',
  FAIL: 'fail',
  ERROR: 'error',
  SKIPPED: 'skipped',
  SUPPRESSED: 'suppressed',
};

const CSS = `
:root{--green:#2e7d32;--red:#c62828;--grey:#9e9e9e;--ink:#1c1f24;--muted:#5f6670;--line:#dde1e6}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#f6f7f9}
main{max-width:1400px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.meta{color:var(--muted);margin:0}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px}
.legend{display:flex;gap:18px;flex-wrap:wrap;margin-top:10px}
.legend span{display:inline-flex;align-items:center;gap:6px}
.legend i{width:12px;height:12px;border-radius:2px;display:inline-block}
table{border-collapse:collapse;width:100%}
.matrix th,.matrix td{border:1px solid var(--line);padding:6px 8px;text-align:center;font-size:12px}
.matrix thead th{background:#eef1f4;font-weight:600;vertical-align:bottom}
.matrix tbody th{text-align:left;background:#fafbfc;min-width:220px}
.matrix tbody th small{display:block;color:var(--muted);font-weight:400;word-break:break-all}
.cell{position:relative;color:#fff;font-weight:600;cursor:default;outline:none}
.cell.green{background:var(--green)}.cell.red{background:var(--red)}.cell.grey{background:var(--grey)}
.tip{display:none;position:absolute;z-index:10;left:50%;top:100%;transform:translateX(-50%);width:320px;
 background:#1c1f24;color:#fff;text-align:left;font-weight:400;padding:10px;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.25)}
.cell:hover .tip,.cell:focus .tip{display:block}
.tip code{display:block;margin-top:6px;white-space:pre-wrap;word-break:break-all;color:#cfe3ff}
.policy{margin:0 0 10px}
.policy summary{cursor:pointer;padding:8px 10px;background:#fff;border:1px solid var(--line);border-radius:6px}
.policy table{margin-top:6px;background:#fff}
.findings td,.findings th{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top;font-size:13px}
.badge{display:inline-block;min-width:74px;text-align:center;color:#fff;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600}
.witness{color:var(--muted);font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
pre{background:#0f1720;color:#e6edf3;padding:12px;border-radius:6px;overflow:auto;font-size:12px}
.step h3{font-size:14px;margin:14px 0 6px}
`;

function summaryBar(summary: Report['summary'], width = 900, height = 28): string {
  const total = STATUSES.reduce((n, s) => n + summary[KEY[s] as keyof Report['summary']], 0);
  let x = 0;
  const rects = STATUSES.map((s) => {
    const n = summary[KEY[s] as keyof Report['summary']];
    const w = total === 0 ? 0 : (n / total) * width;
    const rect = `<rect x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="${height}" fill="${STATUS_COLOR[s]}"><title>${s}: ${n}</title></rect>`;
    x += w;
    return rect;
  }).join('');
  return `<svg role="img" aria-label="findings by status" width="100%" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none">${total === 0 ? `<rect width="${width}" height="${height}" fill="#e0e0e0"/>` : rects}</svg>`;
}

function legend(summary: Report['summary']): string {
  return `<div class="legend">${STATUSES.map(
    (s) =>
      `<span data-status="${s}" data-count="${summary[KEY[s] as keyof Report['summary']]}"><i style="background:${STATUS_COLOR[s]}"></i>${s} <b>${summary[KEY[s] as keyof Report['summary']]}</b></span>`,
  ).join('')}</div>`;
}

/** The witness as a person reads it: the fields that decide, one per line (placeholders left out). */
const witnessLines = (w: CloudTrailEvent) => describeEvent(w).split(', ').join('\n');

function cellHtml(columnId: string, cell: Cell): string {
  const witness = cell.witness
    ? `<code>${e(cell.state === 'green' ? 'for example, logged:' : 'for example, not logged:')}\n${e(witnessLines(cell.witness))}</code>`
    : '';
  const title = `${cell.detail}${cell.witness ? ` — ${describeEvent(cell.witness)}` : ''}`;
  const data = cell.witness ? ` data-witness="${e(JSON.stringify(cell.witness))}"` : '';
  return `<td class="cell ${cell.state}" tabindex="0" data-column="${e(columnId)}" data-state="${cell.state}"${data} title="${e(title)}">${e(cell.label)}<div class="tip" role="tooltip">${e(cell.detail)}${witness}</div></td>`;
}

function matrixHtml(matrix: CoverageMatrix): string {
  if (matrix.rows.length === 0) return '<p class="meta">No trail or event data store was found.</p>';
  const head = `<tr><th>Trail / event data store</th>${matrix.columns.map((c) => `<th data-column="${e(c.id)}">${e(c.title)}</th>`).join('')}</tr>`;
  const rows = matrix.rows
    .map(
      (r) =>
        `<tr data-resource="${e(r.arn)}"><th>${e(r.name)}<small>${r.kind === 'trail' ? 'trail' : 'event data store'}${r.region ? ` · ${e(r.region)}` : ''} · ${e(r.arn)}</small></th>${matrix.columns
          .map((c) => cellHtml(c.id, r.cells[c.id] as Cell))
          .join('')}</tr>`,
    )
    .join('\n');
  return `<div class="card" style="overflow-x:auto;padding:0"><table class="matrix"><thead>${head}</thead><tbody>\n${rows}\n</tbody></table></div>`;
}

const rank = (f: ReportFinding) =>
  STATUSES.indexOf(f.status as (typeof STATUSES)[number]) * 10 + SEVERITY_ORDER.indexOf(f.severity);

function findingRow(f: ReportFinding): string {
  const notes = [
    f.location ? `${f.location.file}:${f.location.line} (${f.location.logicalId})` : '',
    f.witness ? `example event: ${describeEvent(f.witness)}` : '',
    f.exception
      ? `exception (${f.exception.source}): ${f.exception.reason}; expires ${f.exception.expires}${f.exception.expired ? ' (expired)' : ''}`
      : '',
    f.remediation
      ? f.remediation.planned
        ? 'remediation planned'
        : `not repaired: ${f.remediation.reason}`
      : '',
  ].filter(Boolean);
  return `<tr data-finding-id="${e(f.id)}" data-status="${f.status}"><td><span class="badge" style="background:${STATUS_COLOR[f.status]}">${f.status}</span></td><td>${e(f.resourceName)}</td><td>${e(f.check)}</td><td>${e(f.message)}${notes.map((n) => `<div class="witness">${e(n)}</div>`).join('')}</td></tr>`;
}

function findingsHtml(report: Report): string {
  const byPolicy = new Map<string, ReportFinding[]>();
  for (const f of report.findings) byPolicy.set(f.policyId, [...(byPolicy.get(f.policyId) ?? []), f]);
  const policies = [...byPolicy].sort(([, a], [, b]) => Math.min(...a.map(rank)) - Math.min(...b.map(rank)));
  return policies
    .map(([id, list]) => {
      const policy = report.policies.find((p) => p.id === id);
      const counts = STATUSES.map((s) => [s, list.filter((f) => f.status === s).length] as const).filter(
        ([, n]) => n > 0,
      );
      const open = list.some((f) => f.status === 'FAIL' || f.status === 'ERROR');
      return `<details class="policy" data-policy="${e(id)}"${open ? ' open' : ''}><summary><b>${e(id)}</b> · ${e(list[0]?.severity ?? '')}${policy?.description ? ` · ${e(policy.description)}` : ''} · ${counts.map(([s, n]) => `<span data-count-status="${s}">${n} ${s}</span>`).join(', ')}</summary><table class="findings"><tbody>${[
        ...list,
      ]
        .sort((a, b) => rank(a) - rank(b))
        .map(findingRow)
        .join('')}</tbody></table></details>`;
    })
    .join('\n');
}

function planHtml(report: Report): string {
  if (report.plan.length === 0) return '<p class="meta">Nothing to change.</p>';
  return `<ol>${report.plan
    .map(
      (s) =>
        `<li class="step" data-operation="${e(s.operation)}"><h3>${e(s.operation)} · ${e(s.resource)} · ${e(s.region)}</h3><pre>${e(JSON.stringify(s.input, null, 2))}</pre></li>`,
    )
    .join('')}</ol>`;
}

/** Per-account summaries: shown when a run covers several accounts (organization runs). */
function accountSummaries(findings: readonly ReportFinding[]): Map<string, Report['summary']> {
  const out = new Map<string, Report['summary']>();
  for (const f of findings) {
    const account = f.resource.split(':')[4] ?? '';
    const s = out.get(account) ?? { pass: 0, fail: 0, error: 0, skipped: 0, suppressed: 0 };
    s[KEY[f.status] as keyof Report['summary']]++;
    out.set(account, s);
  }
  return out;
}

export function toHtml(
  report: Report,
  matrix: CoverageMatrix,
  context: { source: string; account: string; accounts?: readonly string[] },
): string {
  // A summary per account only when the run read several accounts (an organization run, later).
  const accounts = accountSummaries(report.findings);
  const perAccount =
    (context.accounts?.length ?? 1) > 1
      ? `<h2>By account</h2>${[...accounts].map(([a, s]) => `<div class="card" data-account="${e(a)}" style="margin-bottom:8px"><b>${e(a)}</b>${summaryBar(s, 900, 14)}${legend(s)}</div>`).join('')}`
      : '';
  const regions = [...new Set(report.findings.map((f) => f.region))].sort();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trailwarden coverage report</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>CloudTrail coverage</h1>
<p class="meta">${e(context.source)} · account ${e(context.account)} · ${e(regions.join(', '))} · ${e(report.tool.name)} ${e(report.tool.version)} · ${e(report.generatedAt.toISOString())}</p>
</header>
<section id="summary"><h2>Summary</h2><div class="card">${summaryBar(report.summary)}${legend(report.summary)}</div></section>
${perAccount}
<section id="coverage"><h2>Coverage</h2><p class="meta">Each selector cell is decided exactly over the selectors; hover or focus a cell for an example event.</p>${matrixHtml(matrix)}</section>
<section id="findings"><h2>Findings by policy</h2>${findingsHtml(report)}</section>
<section id="plan"><h2>Plan</h2><p class="meta">The exact requests that repair the failures of remediate policies.</p>${planHtml(report)}</section>
</main>
</body>
</html>
`;
}

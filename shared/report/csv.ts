/** CSV (RFC 4180): a header line, then one line per finding, CRLF line ends, quoted where needed. */
import { describeEvent } from '../policy/describe.js';
import type { Report, ReportFinding } from './types.js';

const COLUMNS: [string, (f: ReportFinding) => string | number | undefined][] = [
  ['id', (f) => f.id],
  ['status', (f) => f.status],
  ['severity', (f) => f.severity],
  ['policy', (f) => f.policyId],
  ['check', (f) => f.check],
  ['resource', (f) => f.resource],
  ['resource_name', (f) => f.resourceName],
  ['region', (f) => f.region],
  ['message', (f) => f.message],
  ['example_event', (f) => (f.witness ? describeEvent(f.witness) : '')],
  [
    'remediation',
    (f) =>
      f.remediation ? (f.remediation.planned ? 'planned' : `not planned: ${f.remediation.reason}`) : '',
  ],
  ['exception_reason', (f) => f.exception?.reason],
  ['exception_expires', (f) => f.exception?.expires],
  ['file', (f) => f.location?.file],
  ['line', (f) => f.location?.line],
  ['logical_id', (f) => f.location?.logicalId],
];

/**
 * One field: quoted when it holds a comma, a quote or a line break (quotes doubled). A text that a
 * spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe.
 */
export function csvField(value: string | number | undefined): string {
  let s = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(report: Report): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const f of report.findings) lines.push(COLUMNS.map(([, get]) => csvField(get(f))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

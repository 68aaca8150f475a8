/**
 * JUnit XML for CI test reports (Jenkins, GitLab, Azure DevOps, CircleCI): one testsuite per policy,
 * one testcase per resource and check. FAIL is a failure, ERROR an error, SKIPPED and SUPPRESSED
 * are skipped (with the reason), PASS passes.
 */
import { describeEvent } from '../policy/describe.js';
import type { Report, ReportFinding } from './types.js';

/** XML 1.0 allows only these characters; anything else (control characters) is dropped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it removes.
const INVALID_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlEscape(s: string): string {
  return s
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (values: Record<string, string | number | undefined>) =>
  Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

function details(f: ReportFinding): string {
  return [
    f.message,
    `resource: ${f.resource} (${f.region})`,
    ...(f.location ? [`defined at: ${f.location.file}:${f.location.line} (${f.location.logicalId})`] : []),
    ...(f.witness ? [`example event: ${describeEvent(f.witness)}`] : []),
    ...(f.remediation
      ? [f.remediation.planned ? 'remediation: planned' : `remediation: not planned: ${f.remediation.reason}`]
      : []),
  ].join('\n');
}

function testcase(f: ReportFinding): string {
  const head = `    <testcase${attrs({
    classname: f.policyId,
    name: `${f.location?.logicalId ?? f.resourceName} [${f.check}]`,
    file: f.location?.file,
    line: f.location?.line,
    time: 0,
  })}`;
  const body = (tag: string, message: string, type?: string) =>
    `>\n      <${tag}${attrs({ message, type })}>${xmlEscape(details(f))}</${tag}>\n    </testcase>`;
  switch (f.status) {
    case 'FAIL':
      return head + body('failure', f.message, f.severity);
    case 'ERROR':
      return head + body('error', f.message, 'undecidable');
    case 'SKIPPED':
      return `${head}>\n      <skipped${attrs({ message: f.message })}/>\n    </testcase>`;
    case 'SUPPRESSED':
      return `${head}>\n      <skipped${attrs({
        message: `suppressed by an exception (${f.exception?.source}): ${f.exception?.reason}; expires ${f.exception?.expires}`,
      })}/>\n    </testcase>`;
    default:
      return `${head}/>`;
  }
}

export function toJunit(report: Report): string {
  const byPolicy = new Map<string, ReportFinding[]>();
  for (const f of report.findings) byPolicy.set(f.policyId, [...(byPolicy.get(f.policyId) ?? []), f]);
  const count = (list: readonly ReportFinding[]) => ({
    tests: list.length,
    failures: list.filter((f) => f.status === 'FAIL').length,
    errors: list.filter((f) => f.status === 'ERROR').length,
    skipped: list.filter((f) => f.status === 'SKIPPED' || f.status === 'SUPPRESSED').length,
  });
  const timestamp = report.generatedAt.toISOString().replace(/\.\d+Z$/, '');
  const suites = [...byPolicy].map(
    ([policyId, list]) =>
      `  <testsuite${attrs({ name: policyId, ...count(list), time: 0, timestamp })}>\n${list.map(testcase).join('\n')}\n  </testsuite>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({ name: report.tool.name, ...count(report.findings), time: 0 })}>\n${suites.join('\n')}\n</testsuites>\n`;
}

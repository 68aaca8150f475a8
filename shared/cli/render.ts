import pc from 'picocolors';
import type { StepResult } from '../aws/apply.js';
import { type Evaluation, type Finding, type PlanStep, summarize } from '../engine/index.js';
import { describeEvent } from '../policy/describe.js';
import type { PolicyProblem } from '../policy/loader.js';
import { formatProblem } from '../policy/loader.js';

export type Format = 'table' | 'json' | 'markdown';

/** Colours only when writing to a terminal; plain text for pipes, files and CI logs. */
export function palette(color: boolean) {
  const id = (s: string) => s;
  return color
    ? { red: pc.red, green: pc.green, yellow: pc.yellow, dim: pc.dim, bold: pc.bold, cyan: pc.cyan }
    : { red: id, green: id, yellow: id, dim: id, bold: id, cyan: id };
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const STATUS_RANK: Record<string, number> = { FAIL: 0, ERROR: 1, SUPPRESSED: 2, SKIPPED: 3, PASS: 4 };

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9) ||
      (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
      a.policyId.localeCompare(b.policyId) ||
      a.resourceName.localeCompare(b.resourceName),
  );
}

/** The JSON contract of docs/architecture.md: findings, plan, summary. */
export function toJson(result: Evaluation, include: { findings: boolean; plan: boolean }): string {
  const out: Record<string, unknown> = {};
  if (include.findings) out.findings = result.findings;
  if (include.plan) out.plan = result.plan;
  out.summary = {
    pass: result.summary.pass,
    fail: result.summary.fail,
    error: result.summary.error,
    skipped: result.summary.skipped,
    suppressed: result.summary.suppressed,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** The accounts findings were read in, when there are several (then each finding names its own). */
export function accountsOf(findings: readonly { account?: string }[]): string[] {
  const accounts = [...new Set(findings.map((f) => f.account).filter((a): a is string => Boolean(a)))];
  return accounts.length > 1 ? accounts.sort() : [];
}

/** Per account: how many failed, errors and passed (several accounts only). */
function accountSummary(findings: readonly Finding[], accounts: readonly string[]): string[] {
  return accounts.map((a) => {
    const s = summarize(findings.filter((f) => f.account === a));
    return `  ${a}: ${s.fail} failed, ${s.error} errors, ${s.pass} passed`;
  });
}

export function findingsTable(result: Evaluation, color: boolean, showPass = false): string {
  const c = palette(color);
  const lines: string[] = [];
  const statusColor = {
    FAIL: c.red,
    ERROR: c.yellow,
    SKIPPED: c.dim,
    PASS: c.green,
    SUPPRESSED: c.dim,
  } as const;
  const accounts = accountsOf(result.findings);
  for (const f of sortFindings(result.findings)) {
    if (f.status === 'PASS' && !showPass) continue;
    const where = accounts.length > 0 ? `${f.account}  ${f.resourceName}` : f.resourceName;
    lines.push(
      `${statusColor[f.status](f.status.padEnd(10))} ${f.severity.padEnd(8)} ${c.bold(f.policyId)}  ${where}  ${c.dim(`[${f.check}]`)}`,
    );
    const at = (f as { location?: { file: string; line: number; logicalId: string } }).location;
    if (at) lines.push(`        ${c.cyan(`${at.file}:${at.line}`)} ${at.logicalId}`);
    lines.push(`        ${f.message}`);
    if (f.status === 'SUPPRESSED' && f.exception)
      lines.push(
        `        ${c.dim(`exception (${f.exception.source}): ${f.exception.reason}; expires ${f.exception.expires}`)}`,
      );
    if (f.remediation) {
      lines.push(
        `        ${c.dim(f.remediation.planned ? 'remediation: planned (see plan)' : `remediation: not planned: ${f.remediation.reason}`)}`,
      );
    }
  }
  const s = result.summary;
  lines.push('');
  lines.push(
    `${c.green(`${s.pass} passed`)}, ${s.fail > 0 ? c.red(`${s.fail} failed`) : `${s.fail} failed`}, ${s.error > 0 ? c.yellow(`${s.error} errors`) : `${s.error} errors`}, ${s.skipped} skipped${s.suppressed ? `, ${s.suppressed} suppressed` : ''}`,
  );
  if (accounts.length > 0)
    lines.push(`${accounts.length} accounts:`, ...accountSummary(result.findings, accounts));
  return `${lines.join('\n')}\n`;
}

/** JSON with small objects and lists kept on one line: plans stay readable in a terminal. */
export function compactJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value);
  if (flat.length + indent.length <= 100 || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value))
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

export function planTable(plan: readonly PlanStep[], color: boolean): string {
  const c = palette(color);
  if (plan.length === 0) return 'Nothing to change.\n';
  const lines: string[] = [];
  plan.forEach((step, i) => {
    lines.push(`${c.bold(`${i + 1}. ${step.operation}`)}  ${step.resource}  ${c.dim(`(${step.region})`)}`);
    for (const line of compactJson(step.input).split('\n')) lines.push(`     ${line}`);
  });
  return `${lines.join('\n')}\n`;
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function findingsMarkdown(result: Evaluation): string {
  const accounts = accountsOf(result.findings);
  // Several accounts: an account column after the policy.
  const acct = (v: string) => (accounts.length > 0 ? ` ${v} |` : '');
  const lines = [
    `| status | severity | policy |${acct('account')} resource | check | message |`,
    `| --- | --- | --- |${acct('---')} --- | --- | --- |`,
  ];
  for (const f of sortFindings(result.findings)) {
    const witness = f.witness ? `<br>example event: \`${describeEvent(f.witness)}\`` : '';
    lines.push(
      `| ${f.status} | ${f.severity} | ${mdEscape(f.policyId)} |${acct(f.account ?? '')} ${mdEscape(f.resourceName)} | ${f.check} | ${mdEscape(f.message)}${witness} |`,
    );
  }
  const s = result.summary;
  lines.push(
    '',
    `**${s.pass} passed, ${s.fail} failed, ${s.error} errors, ${s.skipped} skipped${s.suppressed ? `, ${s.suppressed} suppressed` : ''}**`,
  );
  if (accounts.length > 0)
    lines.push('', ...accountSummary(result.findings, accounts).map((l) => `- ${l.trim()}`));
  return `${lines.join('\n')}\n`;
}

export function planMarkdown(plan: readonly PlanStep[]): string {
  if (plan.length === 0) return 'Nothing to change.\n';
  return `${plan
    .map(
      (s, i) =>
        `${i + 1}. **${s.operation}** on \`${s.resource}\` (${s.region})\n\n\`\`\`json\n${JSON.stringify(s.input, null, 2)}\n\`\`\`\n`,
    )
    .join('\n')}`;
}

export function problemsText(problems: readonly PolicyProblem[], color: boolean): string {
  const c = palette(color);
  return `${problems.map((p) => (p.severity === 'error' ? c.red(formatProblem(p)) : c.yellow(formatProblem(p)))).join('\n')}\n`;
}

/** What `apply` did, step by step. */
export function stepsText(steps: readonly StepResult[], color: boolean): string {
  const c = palette(color);
  return steps
    .map(
      (s) =>
        `${s.status === 'ok' ? c.green('ok     ') : c.red(s.status.padEnd(7))} ${s.step.operation} ${s.step.resource}${s.error ? `: ${s.error.message}` : s.reason !== undefined ? `: not sent: ${s.reason}` : ''}\n`,
    )
    .join('');
}

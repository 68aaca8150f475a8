import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { type Evaluation, resourceViews, type Snapshot } from '../engine/index.js';
import type { Policy } from '../policy/loader.js';
import type { ResourceView } from '../policy/types.js';
import { coverageMatrix } from '../report/coverage.js';
import { toHtml } from '../report/html.js';
import type { Report } from '../report/types.js';
import { InputError } from './io.js';

/** Data resource types the policies ask about get a column of their own. */
function policyDataTypes(policies: readonly Policy[]): string[] {
  return policies.flatMap((p) =>
    p.checks
      .flatMap((c) => c.definition.selectors?.(c.params) ?? [])
      .flatMap((s) =>
        s.FieldSelectors.filter((f) => f.Field === 'resources.type').flatMap((f) => f.Equals ?? []),
      ),
  );
}

/** Each resource once (a multi-Region trail is seen from every Region), from its home Region when read there. */
export function distinctResources(snapshots: readonly Snapshot[]): ResourceView[] {
  const byArn = new Map<string, ResourceView>();
  for (const s of snapshots)
    for (const r of resourceViews(s)) {
      const seen = byArn.get(r.arn);
      if (!seen || (r.homeRegion === s.region && seen.homeRegion !== s.region)) byArn.set(r.arn, r);
    }
  return [...byArn.values()];
}

export interface ReportRun extends Evaluation {
  readonly account: string;
  readonly policies: readonly Policy[];
  readonly snapshots: readonly Snapshot[];
}

/** `trailwarden report`: the HTML coverage report, written to a file. */
export function writeHtmlReport(out: string, result: ReportRun, report: Report, source: string): string {
  const matrix = coverageMatrix(distinctResources(result.snapshots), policyDataTypes(result.policies));
  const accounts = [...new Set(result.snapshots.map((s) => s.account))];
  const html = toHtml(report, matrix, { source, account: result.account, accounts });
  try {
    writeFileSync(out, html);
  } catch (error) {
    throw new InputError(
      `--out ${out}: cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const s = report.summary;
  const shown = relative(process.cwd(), out);
  return `wrote ${shown && !shown.startsWith('..') ? shown : out}: ${matrix.rows.length} trails and event data stores, ${s.pass} passed, ${s.fail} failed, ${s.error} errors, ${s.skipped} skipped, ${s.suppressed} suppressed, ${report.plan.length} planned changes\n`;
}

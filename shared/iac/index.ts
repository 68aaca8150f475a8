/**
 * Infrastructure as code, checked before deploy: CloudFormation templates and Terraform plans read
 * into the snapshot model (pure: the caller reads the files). Findings that rest on a value known
 * only at deploy time become ERRORs naming the property; every finding keeps its file and line.
 */
import { type Evaluation, type Finding, summarize } from '../engine/evaluate.js';
import { parseSnapshot, SnapshotError, selectorProblem } from '../engine/snapshot.js';
import type { ReportFinding } from '../engine/types.js';
import { cloudFormationResources, isCloudFormation } from './cloudformation.js';
import {
  type Kind,
  PROPERTIES_READ,
  SCOPE_PROPERTIES,
  type TemplateResource,
  type UnknownProperty,
} from './model.js';
import { type TemplateSnapshot, templateSnapshot } from './snapshot.js';
import { readSource, TemplateError } from './source.js';
import { isTerraformPlan, terraformResources } from './terraform.js';

export type { TemplateSnapshot } from './snapshot.js';
export { TemplateError } from './source.js';

export const partitionOf = (region: string) =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

/** Reads template files (CloudFormation YAML/JSON, Terraform plan JSON) into one snapshot of `region`. */
export function readTemplates(
  files: readonly { file: string; text: string }[],
  region: string,
): TemplateSnapshot {
  const partition = partitionOf(region);
  const resources: TemplateResource[] = [];
  for (const { file, text } of files) {
    const doc = readSource(text, file);
    let found: TemplateResource[];
    if (isTerraformPlan(doc.data)) found = terraformResources(doc);
    else if (isCloudFormation(doc.data)) found = cloudFormationResources(doc, partition, region);
    else
      throw new TemplateError(
        `${file}: neither a CloudFormation template (a Resources map of typed resources) nor a Terraform plan in JSON (terraform show -json)`,
      );
    if (found.length === 0)
      throw new TemplateError(
        `${file}: no CloudTrail resources (AWS::CloudTrail::Trail, AWS::CloudTrail::EventDataStore, aws_cloudtrail, aws_cloudtrail_event_data_store)`,
      );
    resources.push(...found);
  }
  const result = templateSnapshot(resources, region, partition);
  const at = (path: string, message: string) => {
    const m = /^\$\.(trails|eventDataStores)\[(\d+)\]/.exec(path);
    const kind: Kind = m?.[1] === 'eventDataStores' ? 'eventDataStore' : 'trail';
    const r = resources.filter((x) => x.kind === kind)[Number(m?.[2] ?? 0)];
    return new TemplateError(
      `${r?.file ?? files[0]?.file}:${r?.line ?? 1}: ${r?.logicalId ?? ''}: ${message.replace(/^\$\.(trails|eventDataStores)\[\d+\]\.\w+\./, '')}`,
    );
  };
  try {
    // The template's selectors go through the same validation as a snapshot's.
    parseSnapshot(result.snapshot);
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    throw at(error.path, error.message);
  }
  // A snapshot read from AWS keeps a malformed selector as an ERROR of that resource alone; in a
  // template it is the author's mistake, refused before deploy with its file and line.
  for (const [i, t] of result.snapshot.trails.entries()) {
    const problem = t.eventSelectors && selectorProblem(t.eventSelectors, `$.trails[${i}].eventSelectors`);
    if (problem) throw at(`$.trails[${i}]`, problem);
  }
  for (const [i, e] of result.snapshot.eventDataStores.entries()) {
    const path = `$.eventDataStores[${i}].eventDataStore`;
    const problem = selectorProblem(e.eventDataStore as { AdvancedEventSelectors?: unknown[] }, path);
    if (problem) throw at(`$.eventDataStores[${i}]`, problem);
  }
  return result;
}

const unknownRead = (unknown: readonly UnknownProperty[], read: readonly string[]) =>
  unknown.filter((u) => read.includes(u.property) || u.property === 'Condition');

/**
 * The verdicts a template cannot support: a finding whose check reads a property known only at
 * deploy time becomes an ERROR naming it (and plans nothing); the rest keep their verdict. Every
 * finding gets its file, line and logical id.
 */
export function decideOnTemplate(
  evaluation: Evaluation,
  template: TemplateSnapshot,
  policies: readonly {
    id: string;
    resource: Kind;
    quantifier: string;
    select?: { names?: readonly string[]; tags?: unknown };
  }[],
): Evaluation & { findings: ReportFinding[] } {
  const byPolicy = new Map(policies.map((p) => [p.id, p]));
  const undecided = new Set<string>();
  const findings: ReportFinding[] = evaluation.findings.map((f: Finding) => {
    const location = template.locations.get(f.resource);
    const policy = byPolicy.get(f.policyId);
    const kind = policy?.resource ?? 'trail';
    const checks = f.check.split(',');
    const read = (extra: readonly string[]) => [
      ...checks.flatMap((c) => PROPERTIES_READ[kind][c] ?? []),
      ...(policy?.select?.names ? [kind === 'trail' ? 'TrailName' : 'Name'] : []),
      ...(policy?.select?.tags ? ['Tags'] : []),
      ...extra,
    ];
    // A per-resource finding reads its resource; an any/union finding reads every resource of its kind.
    const sources = location
      ? [template.unknown.get(f.resource)].filter((x) => x !== undefined)
      : [...template.unknown.values()].filter((u) => u.resource.kind === kind);
    const missing = sources.flatMap((u) =>
      unknownRead(u.properties, read(location ? [] : SCOPE_PROPERTIES[kind])).map((p) => ({
        p,
        r: u.resource,
      })),
    );
    const withLocation = location ? { ...f, location } : f;
    if (missing.length === 0 || f.status === 'SUPPRESSED' || f.status === 'SKIPPED') return withLocation;
    undecided.add(f.id);
    const { remediation: _none, witness: _guess, ...rest } = withLocation;
    const what = missing
      .map(({ p, r }) => `${location ? '' : `${r.logicalId}: `}${p.written} is ${p.reason}`)
      .join('; ');
    return {
      ...rest,
      status: 'ERROR',
      message: `cannot be decided before deploy: ${what}`,
    };
  });
  const plan = evaluation.plan.filter((s) => !s.findings.every((id) => undecided.has(id)));
  return { findings, plan, summary: summarize(findings) };
}

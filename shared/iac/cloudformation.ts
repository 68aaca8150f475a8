/** CloudFormation templates (YAML or JSON, CDK-synthesised or hand-written) → template resources. */
import type { Kind, TemplateResource, UnknownProperty } from './model.js';
import { type SourceDocument, TemplateError } from './source.js';
import { expressionText, type ResolveContext, resolve } from './values.js';

const TYPES: Record<string, Kind> = {
  'AWS::CloudTrail::Trail': 'trail',
  'AWS::CloudTrail::EventDataStore': 'eventDataStore',
};
const NAME_PROPERTY: Record<Kind, string> = { trail: 'TrailName', eventDataStore: 'Name' };

/** A template CloudFormation would accept has a Resources map whose entries have a Type. */
export function isCloudFormation(data: unknown): data is { Resources: Record<string, unknown> } {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  const resources = (data as Record<string, unknown>).Resources;
  return (
    resources !== null &&
    typeof resources === 'object' &&
    !Array.isArray(resources) &&
    Object.values(resources as object).every(
      (r) => r !== null && typeof r === 'object' && typeof (r as { Type?: unknown }).Type === 'string',
    )
  );
}

const BOOLEAN_PROPERTIES = new Set([
  'IsLogging',
  'IsMultiRegionTrail',
  'IsOrganizationTrail',
  'EnableLogFileValidation',
  'IncludeGlobalServiceEvents',
  'MultiRegionEnabled',
  'OrganizationEnabled',
  'TerminationProtectionEnabled',
  'IngestionEnabled',
  'FederationEnabled',
]);

/** CloudFormation accepts "true"/"false" and "2557" where a boolean or number is meant. */
function coerce(property: string, value: unknown): unknown {
  if (BOOLEAN_PROPERTIES.has(property) && (value === 'true' || value === 'false')) return value === 'true';
  if (property === 'RetentionPeriod' && typeof value === 'string' && /^\d+$/.test(value))
    return Number(value);
  return value;
}

export function cloudFormationResources(
  doc: SourceDocument,
  partition: string,
  region: string | undefined,
): TemplateResource[] {
  const template = doc.data as {
    Resources: Record<string, { Type: string; Properties?: unknown; Condition?: string }>;
  };
  const bucketNames = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    const name = (r.Properties as Record<string, unknown> | undefined)?.BucketName;
    if (r.Type === 'AWS::S3::Bucket' && typeof name === 'string') bucketNames.set(id, name);
  }
  const ctx: ResolveContext = { partition, region, bucketNames };
  const out: TemplateResource[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    const kind = TYPES[r.Type];
    if (!kind) continue;
    const line = doc.line(['Resources', logicalId]);
    const raw = r.Properties ?? {};
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      throw new TemplateError(`${doc.file}:${line}: ${logicalId}: Properties must be a map`);
    const properties: Record<string, unknown> = {};
    const unknown: UnknownProperty[] = [];
    for (const [property, value] of Object.entries(raw as Record<string, unknown>)) {
      const resolved = resolve(value, ctx);
      if (resolved.known) properties[property] = coerce(property, resolved.value);
      else
        unknown.push({
          property,
          written: property,
          reason: `${resolved.expression}, known only at deploy time`,
        });
    }
    if (r.Condition)
      unknown.push({
        property: 'Condition',
        written: 'Condition',
        reason: `the resource exists only if condition ${r.Condition} holds (${expressionText({ Condition: r.Condition })})`,
      });
    const name = properties[NAME_PROPERTY[kind]];
    out.push({
      kind,
      logicalId,
      file: doc.file,
      line,
      name: typeof name === 'string' ? name : undefined,
      properties,
      unknown,
    });
  }
  return out;
}

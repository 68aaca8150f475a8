import type { CloudTrailEvent } from '../selectors/index.js';
import { WITNESS_DEFAULTS } from '../selectors/solver.js';
import type { ResourceView } from './types.js';

const ORDER = [
  'eventCategory',
  'readOnly',
  'eventSource',
  'eventName',
  'resources.type',
  'resources.ARN',
  'errorCode',
  'sessionCredentialFromConsole',
  'vpcEndpointId',
  'userIdentity.arn',
  'eventType',
];

/** Fields whose unconstrained witness value is an "example" placeholder, not a meaningful value. */
const PLACEHOLDER_FIELDS = new Set([
  'eventSource',
  'eventName',
  'eventType',
  'resources.type',
  'resources.ARN',
  'userIdentity.arn',
]);

/** A witness as a person reads it: the fields that matter, placeholders left out. */
export function describeEvent(e: CloudTrailEvent): string {
  const parts: string[] = [];
  for (const field of ORDER) {
    const v = e[field as keyof CloudTrailEvent];
    if (
      v === undefined ||
      (PLACEHOLDER_FIELDS.has(field) && WITNESS_DEFAULTS[field as keyof typeof WITNESS_DEFAULTS] === v)
    )
      continue;
    if (e.eventCategory === 'Management' && field.startsWith('resources.')) continue;
    parts.push(`${field}=${v}`);
  }
  return parts.join(', ');
}

export function label(r: ResourceView): string {
  return `${r.kind === 'trail' ? 'trail' : 'event data store'} '${r.name}'`;
}

import type { CloudTrailEvent } from '../selectors/index.js';
import { isFiller } from '../selectors/witness.js';
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
] as const;

/**
 * A witness as a person reads it: the call and, for events about a resource (anything but
 * management events), the resource's type and ARN. Fillers that say nothing (who made the call,
 * the event type) are left out unless a selector asked for another value.
 */
export function describeEvent(e: CloudTrailEvent): string {
  const parts: string[] = [];
  for (const field of ORDER) {
    const v = e[field];
    if (v === undefined || isFiller(field, v)) continue;
    if (e.eventCategory === 'Management' && field.startsWith('resources.')) continue;
    parts.push(`${field}=${v}`);
  }
  return parts.join(', ');
}

export function label(r: ResourceView): string {
  return `${r.kind === 'trail' ? 'trail' : 'event data store'} '${r.name}'`;
}

import type { CloudTrailEvent } from '../selectors/index.js';
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
const DEFAULTS: Record<string, string> = {
  eventSource: 'example.amazonaws.com',
  eventName: 'ExampleAction',
  eventType: 'AwsApiCall',
  'resources.type': 'AWS::Example::Resource',
  'resources.ARN': 'arn:aws:example:us-east-1:123456789012:resource/example',
  'userIdentity.arn': 'arn:aws:iam::123456789012:role/example',
};

/** A witness as a person reads it: the fields that matter, placeholders left out. */
export function describeEvent(e: CloudTrailEvent): string {
  const parts: string[] = [];
  for (const field of ORDER) {
    const v = e[field as keyof CloudTrailEvent];
    if (v === undefined || DEFAULTS[field] === v) continue;
    if (e.eventCategory === 'Management' && field.startsWith('resources.')) continue;
    parts.push(`${field}=${v}`);
  }
  return parts.join(', ');
}

export function label(r: ResourceView): string {
  return `${r.kind === 'trail' ? 'trail' : 'event data store'} '${r.name}'`;
}

import { z } from 'zod';

/** The CloudTrail API calls that change what a trail or event data store logs. */
export const TRAIL_EVENT_NAMES = [
  'CreateTrail',
  'UpdateTrail',
  'DeleteTrail',
  'StartLogging',
  'StopLogging',
  'PutEventSelectors',
  'PutInsightSelectors',
  'PutEventConfiguration',
] as const;
export const EVENT_DATA_STORE_EVENT_NAMES = [
  'CreateEventDataStore',
  'UpdateEventDataStore',
  'DeleteEventDataStore',
  'StartEventDataStoreIngestion',
  'StopEventDataStoreIngestion',
] as const;
export const WATCHED_EVENT_NAMES = [...TRAIL_EVENT_NAMES, ...EVENT_DATA_STORE_EVENT_NAMES] as const;

const Params = z.record(z.string(), z.unknown()).nullish();

/** An EventBridge "AWS API Call via CloudTrail" event, as far as Trailwarden reads it. */
export const CloudTrailApiCallEvent = z.object({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  source: z.string(),
  account: z.string().regex(/^\d{12}$/),
  region: z.string(),
  detail: z.object({
    eventSource: z.literal('cloudtrail.amazonaws.com'),
    eventName: z.enum(WATCHED_EVENT_NAMES),
    awsRegion: z.string(),
    eventID: z.string().optional(),
    eventTime: z.string().optional(),
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
    userIdentity: z
      .object({
        type: z.string().optional(),
        arn: z.string().optional(),
        principalId: z.string().optional(),
        sessionContext: z
          .object({ sessionIssuer: z.object({ arn: z.string().optional() }).partial().optional() })
          .partial()
          .optional(),
      })
      .partial(),
    requestParameters: Params,
    responseElements: Params,
  }),
});
export type CloudTrailApiCallEvent = z.infer<typeof CloudTrailApiCallEvent>;

export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

export function parseTrailChangeEvent(raw: unknown): CloudTrailApiCallEvent {
  const result = CloudTrailApiCallEvent.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MalformedEventError(
      `event ${(issue?.path ?? []).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

export interface ChangedResource {
  readonly kind: 'trail' | 'eventDataStore';
  /** Name or ARN, as the call named it. */
  readonly id: string;
  readonly region: string;
  readonly eventName: (typeof WATCHED_EVENT_NAMES)[number];
  readonly deleted: boolean;
  /** Who made the call: the role behind an assumed-role session when there is one. */
  readonly actor: string | undefined;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The trail or event data store a call changed, from its request and response. */
export function changedResource(event: CloudTrailApiCallEvent): ChangedResource {
  const { detail } = event;
  const req = detail.requestParameters ?? {};
  const res = detail.responseElements ?? {};
  const isStore = (EVENT_DATA_STORE_EVENT_NAMES as readonly string[]).includes(detail.eventName);
  const id = isStore
    ? (str(res.eventDataStoreArn) ?? str(req.eventDataStore) ?? str(req.name))
    : (str(res.trailARN) ?? str(req.trailName) ?? str(req.name));
  if (!id)
    throw new MalformedEventError(
      `event detail: ${detail.eventName} names no ${isStore ? 'event data store' : 'trail'} in its request or response`,
    );
  return {
    kind: isStore ? 'eventDataStore' : 'trail',
    id,
    region: detail.awsRegion,
    eventName: detail.eventName,
    deleted: detail.eventName === 'DeleteTrail' || detail.eventName === 'DeleteEventDataStore',
    actor: detail.userIdentity.sessionContext?.sessionIssuer?.arn ?? detail.userIdentity.arn,
  };
}

/** The loop guard: a change made by Trailwarden's own remediation role is not evaluated again. */
export function madeBy(event: CloudTrailApiCallEvent, roleArn: string | undefined): boolean {
  if (!roleArn) return false;
  const identity = event.detail.userIdentity;
  if (identity.sessionContext?.sessionIssuer?.arn === roleArn) return true;
  // assumed-role ARNs: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION ↔ arn:aws:iam::ACCOUNT:role[/path]/ROLE
  const roleName = roleArn.split('/').pop();
  const m = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(identity.arn ?? '');
  return m !== null && m[2] === roleName && roleArn.includes(`:${m[1]}:`);
}

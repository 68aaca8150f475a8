import { z } from 'zod';
import { TrailwardenError } from '../errors.js';

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
/** Calls that name any CloudTrail resource by ARN: what they changed is read from the ARN. */
export const RESOURCE_EVENT_NAMES = [
  'AddTags',
  'RemoveTags',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
] as const;
export const EVENT_DATA_STORE_EVENT_NAMES = [
  'CreateEventDataStore',
  'UpdateEventDataStore',
  'DeleteEventDataStore',
  'StartEventDataStoreIngestion',
  'StopEventDataStoreIngestion',
] as const;
export const WATCHED_EVENT_NAMES = [
  ...TRAIL_EVENT_NAMES,
  ...EVENT_DATA_STORE_EVENT_NAMES,
  ...RESOURCE_EVENT_NAMES,
] as const;

const Params = z.record(z.string(), z.unknown()).nullish();

/** An EventBridge "AWS API Call via CloudTrail" event, as far as Trailwarden reads it. */
export const CloudTrailApiCallEvent = z.object({
  /** EventBridge's id of this event: the same on every retry of its delivery. */
  id: z.string().optional(),
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
    recipientAccountId: z.string().optional(),
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

export class MalformedEventError extends TrailwardenError {
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
  /** Name, ARN or ARN suffix, as the call named it. */
  readonly id: string;
  readonly region: string;
  readonly eventName: (typeof WATCHED_EVENT_NAMES)[number];
  readonly deleted: boolean;
  /** Who made the call: the role behind an assumed-role session when there is one. */
  readonly actor: string | undefined;
}

/** A call on a CloudTrail resource Trailwarden does not evaluate (a channel, a dashboard). */
export interface UnwatchedChange {
  readonly unwatched: string;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Which kind of resource a CloudTrail ARN names (arn:…:cloudtrail:…:trail/NAME, …:eventdatastore/ID). */
export function kindOfArn(arn: string): 'trail' | 'eventDataStore' | undefined {
  const resource = arn.split(':').slice(5).join(':');
  if (resource.startsWith('trail/')) return 'trail';
  if (resource.startsWith('eventdatastore/')) return 'eventDataStore';
  return undefined;
}

function named(detail: CloudTrailApiCallEvent['detail']): {
  kind: 'trail' | 'eventDataStore';
  id: string | undefined;
} {
  const req = detail.requestParameters ?? {};
  const res = detail.responseElements ?? {};
  const name = detail.eventName;
  if ((RESOURCE_EVENT_NAMES as readonly string[]).includes(name)) {
    // AddTags/RemoveTags name it resourceId, the resource-policy calls resourceArn: always an ARN.
    const id = str(req.resourceId) ?? str(req.resourceArn) ?? str(res.resourceArn);
    return { kind: (id ? kindOfArn(id) : undefined) ?? 'trail', id };
  }
  // PutInsightSelectors and PutEventConfiguration take a trail or an event data store.
  const store =
    (EVENT_DATA_STORE_EVENT_NAMES as readonly string[]).includes(name) ||
    str(req.eventDataStore) !== undefined ||
    str(res.eventDataStoreArn) !== undefined;
  return store
    ? { kind: 'eventDataStore', id: str(res.eventDataStoreArn) ?? str(req.eventDataStore) ?? str(req.name) }
    : { kind: 'trail', id: str(res.trailARN) ?? str(req.trailName) ?? str(req.name) };
}

/** The trail or event data store a call changed, from its request and response. */
export function changedResource(event: CloudTrailApiCallEvent): ChangedResource | UnwatchedChange {
  const { detail } = event;
  const { kind, id } = named(detail);
  if (!id)
    throw new MalformedEventError(
      `event detail: ${detail.eventName} names no ${kind === 'eventDataStore' ? 'event data store' : 'trail'} in its request or response`,
    );
  if (id.startsWith('arn:') && !kindOfArn(id))
    return { unwatched: `${detail.eventName} on ${id}: not a trail or event data store` };
  return {
    kind,
    id,
    region: detail.awsRegion,
    eventName: detail.eventName,
    deleted: detail.eventName === 'DeleteTrail' || detail.eventName === 'DeleteEventDataStore',
    actor: detail.userIdentity.sessionContext?.sessionIssuer?.arn ?? detail.userIdentity.arn,
  };
}

/**
 * The accounts an event speaks for: the account it was delivered for, the account that received
 * the call, and the account in the resource's ARN. A foreign one means it was forwarded from
 * another account's bus, and must not be judged against this account's resources.
 */
export function accountsOf(event: CloudTrailApiCallEvent, change: ChangedResource): string[] {
  const fromArn = change.id.startsWith('arn:') ? change.id.split(':')[4] : undefined;
  return [
    ...new Set(
      [event.account, event.detail.recipientAccountId, fromArn].filter((a): a is string => Boolean(a)),
    ),
  ];
}

/**
 * The loop guard: a change made by Trailwarden's own remediation role is not evaluated again. With
 * `sessionName`, only that role's sessions of that name count: a member role people may use too
 * (`memberRoleName`) is Trailwarden's only in the sessions Trailwarden opens.
 */
export function madeBy(
  event: CloudTrailApiCallEvent,
  roleArn: string | undefined,
  sessionName?: string,
): boolean {
  if (!roleArn) return false;
  const identity = event.detail.userIdentity;
  if (!sessionName && identity.sessionContext?.sessionIssuer?.arn === roleArn) return true;
  // assumed-role ARNs: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION ↔ arn:aws:iam::ACCOUNT:role[/path]/ROLE
  const roleName = roleArn.split('/').pop();
  const m = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(identity.arn ?? '');
  return (
    m !== null &&
    m[2] === roleName &&
    roleArn.includes(`:${m[1]}:`) &&
    (sessionName === undefined || m[3] === sessionName)
  );
}

/** The account of the identity that made the call (its ARN's account), when the event says. */
export function callerAccountOf(event: CloudTrailApiCallEvent): string | undefined {
  const arn = event.detail.userIdentity.arn ?? event.detail.userIdentity.sessionContext?.sessionIssuer?.arn;
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

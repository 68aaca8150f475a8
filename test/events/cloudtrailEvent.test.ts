import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  changedResource,
  MalformedEventError,
  madeBy,
  parseTrailChangeEvent,
  WATCHED_EVENT_NAMES,
} from '../../shared/events/cloudtrailEvent.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8'));
const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/security';
const EDS = 'arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/0b8d6f2e-7c1a-4f3e-9a5b-2d4c6e8f0a1b';

describe('EventBridge CloudTrail events', () => {
  it.each([
    ['CreateTrail', TRAIL],
    ['UpdateTrail', TRAIL],
    ['DeleteTrail', TRAIL],
    ['StartLogging', TRAIL],
    ['StopLogging', 'security'],
    ['PutEventSelectors', TRAIL],
    ['PutInsightSelectors', TRAIL],
    ['PutEventConfiguration', TRAIL],
    ['CreateEventDataStore', EDS],
    ['UpdateEventDataStore', EDS],
    ['DeleteEventDataStore', EDS],
    ['StartEventDataStoreIngestion', EDS],
    ['StopEventDataStoreIngestion', EDS],
  ])('%s names the changed resource', (name, id) => {
    const change = changedResource(parseTrailChangeEvent(fixture(name)));
    expect(change).toMatchObject({
      id,
      region: 'us-east-1',
      eventName: name,
      actor: 'arn:aws:iam::111122223333:role/Admin',
    });
    expect(change.kind).toBe(name.includes('EventDataStore') ? 'eventDataStore' : 'trail');
    expect(change.deleted).toBe(name.startsWith('Delete'));
  });

  it('has a fixture for every watched event name', () => {
    for (const name of WATCHED_EVENT_NAMES) expect(() => fixture(name)).not.toThrow();
  });

  it('rejects a malformed event with the path of the problem', () => {
    expect(() => parseTrailChangeEvent(fixture('malformed'))).toThrow(MalformedEventError);
    expect(() => parseTrailChangeEvent(fixture('malformed'))).toThrow(/event detail\.awsRegion: /);
    expect(() =>
      parseTrailChangeEvent({
        ...fixture('StopLogging'),
        detail: { ...fixture('StopLogging').detail, eventName: 'LookupEvents' },
      }),
    ).toThrow(/detail\.eventName/);
    expect(() =>
      changedResource(
        parseTrailChangeEvent({
          ...fixture('StopLogging'),
          detail: { ...fixture('StopLogging').detail, requestParameters: {} },
        }),
      ),
    ).toThrow(/StopLogging names no trail/);
  });

  it('recognises calls made by the remediation role (loop guard)', () => {
    const own = parseTrailChangeEvent(fixture('own-role'));
    expect(madeBy(own, 'arn:aws:iam::111122223333:role/trailwarden-prod-remediate')).toBe(true);
    expect(
      madeBy(
        parseTrailChangeEvent(fixture('StopLogging')),
        'arn:aws:iam::111122223333:role/trailwarden-prod-remediate',
      ),
    ).toBe(false);
    expect(madeBy(own, undefined)).toBe(false);
  });

  it('keeps the error code of failed calls', () => {
    expect(parseTrailChangeEvent(fixture('failed-call')).detail.errorCode).toBe('AccessDenied');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accountsOf,
  type ChangedResource,
  changedResource,
  kindOfArn,
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
    ['AddTags', TRAIL],
    ['RemoveTags', TRAIL],
    ['PutResourcePolicy', EDS],
    ['DeleteResourcePolicy', EDS],
    ['PutEventConfiguration-eventDataStore', EDS],
    ['PutInsightSelectors-eventDataStore', EDS],
  ])('%s names the changed resource', (name, id) => {
    const change = changedResource(parseTrailChangeEvent(fixture(name))) as ChangedResource;
    expect(change).toMatchObject({
      id,
      region: 'us-east-1',
      eventName: name.split('-')[0],
      actor: 'arn:aws:iam::111122223333:role/Admin',
    });
    expect(change.kind).toBe(id === EDS ? 'eventDataStore' : 'trail');
    // Deleting a resource policy deletes no resource.
    expect(change.deleted).toBe(name === 'DeleteTrail' || name === 'DeleteEventDataStore');
  });

  it('row 7: the event data store forms of PutEventConfiguration and PutInsightSelectors are not "malformed"', () => {
    for (const name of ['PutEventConfiguration-eventDataStore', 'PutInsightSelectors-eventDataStore']) {
      const event = fixture(name);
      // As CloudTrail records them: the store named in the request, no trail anywhere.
      expect(JSON.stringify(event.detail)).not.toMatch(/trailName|trailARN/);
      expect(changedResource(parseTrailChangeEvent(event))).toMatchObject({
        kind: 'eventDataStore',
        id: EDS,
      });
    }
  });

  it('a tag or resource policy on a channel or dashboard is not a watched resource', () => {
    expect(changedResource(parseTrailChangeEvent(fixture('AddTags-channel')))).toEqual({
      unwatched: expect.stringContaining('not a trail or event data store'),
    });
    expect(kindOfArn('arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/x')).toBe('trail');
    expect(kindOfArn(EDS)).toBe('eventDataStore');
    expect(kindOfArn('arn:aws:cloudtrail:us-east-1:111122223333:dashboard/d')).toBeUndefined();
  });

  it("names every account an event speaks for: the envelope's, the recipient's, the resource ARN's", () => {
    const mine = parseTrailChangeEvent(fixture('StopLogging'));
    expect(accountsOf(mine, changedResource(mine) as ChangedResource)).toEqual(['111122223333']);
    const other = parseTrailChangeEvent(fixture('other-account'));
    expect(accountsOf(other, changedResource(other) as ChangedResource)).toEqual(['444455556666']);
    const forged = parseTrailChangeEvent({
      ...fixture('AddTags'),
      detail: {
        ...fixture('AddTags').detail,
        requestParameters: { resourceId: 'arn:aws:cloudtrail:us-east-1:444455556666:trail/security' },
      },
    });
    expect(accountsOf(forged, changedResource(forged) as ChangedResource)).toEqual([
      '111122223333',
      '444455556666',
    ]);
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
    expect(() =>
      changedResource(
        parseTrailChangeEvent({
          ...fixture('AddTags'),
          detail: { ...fixture('AddTags').detail, requestParameters: { tagsList: [] } },
        }),
      ),
    ).toThrow(/AddTags names no trail/);
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

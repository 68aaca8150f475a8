import { describe, expect, it } from 'vitest';
import { parseSnapshotFile, SnapshotError } from '../../shared/engine/snapshot.js';
import { validate } from '../../shared/selectors/validate.js';

const region = { version: 1, account: '111122223333', region: 'us-east-1' };

describe('errors carry data, not text to parse back', () => {
  it('SnapshotError holds where and what, and the list item’s index comes first', () => {
    let caught: unknown;
    try {
      parseSnapshotFile([region, { ...region, account: 'x' }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SnapshotError);
    const e = caught as SnapshotError;
    expect(e.at).toEqual([1, 'account']);
    expect(e.problem).toBe('expected a 12-digit AWS account id');
    expect(e.path).toBe('$[1].account');
    expect(e.message).toBe('$[1].account: expected a 12-digit AWS account id');
  });

  it('validate places problems under the path the caller names', () => {
    const bad = [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Nope'] }] }];
    const listed = validate(bad, 'trail', { lint: false, listPath: 'forbid.logEvents' });
    expect(listed.map((p) => p.path).every((p) => p.startsWith('forbid.logEvents[0]'))).toBe(true);
    const one = validate(bad, 'trail', { lint: false, selectorPath: () => 'require.logEvents[3]' });
    expect(one.map((p) => p.path).every((p) => p.startsWith('require.logEvents[3]'))).toBe(true);
    expect(one.length).toBeGreaterThan(0);
  });
});

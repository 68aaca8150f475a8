import { describe, expect, it } from 'vitest';
import { parsePolicyData } from '../../shared/policy/document.js';

/** "Did you mean" hints come from each check's own parameter schema, at any depth, for every check. */
const problemsOf = (resource: string, require: Record<string, unknown>) =>
  parsePolicyData({ version: 1, policies: [{ id: 'p', resource, require }] }, 'p.yaml').problems.map(
    (p) => `${p.path}: ${p.message}`,
  );

describe('key hints walk the check’s schema', () => {
  it('inside a list of objects of a check other than logEvents', () => {
    expect(
      problemsOf('eventDataStore', {
        eventConfiguration: {
          MaxEventSize: 'Large',
          ContextKeySelectors: [{ Typ: 'TagContext', Equals: ['x'] }],
        },
      }),
    ).toContain(
      'policies[0].require.eventConfiguration.ContextKeySelectors[0].Typ: unknown key "Typ"; did you mean "Type"?',
    );
  });

  it('for logEvents selectors and their field selectors, as before', () => {
    const problems = problemsOf('trail', {
      logEvents: [{ Nam: 'x', FieldSelectors: [{ Field: 'eventCategory', Equal: ['Management'] }] }],
    });
    expect(problems).toContain(
      'policies[0].require.logEvents[0].Nam: unknown key "Nam"; did you mean "Name"?',
    );
    expect(problems).toContain(
      'policies[0].require.logEvents[0].FieldSelectors[0].Equal: unknown key "Equal"; did you mean "Equals"?',
    );
  });

  it('at the top of an object parameter', () => {
    expect(
      problemsOf('trail', {
        eventConfiguration: {
          AggregationConfiguration: [{ Templates: ['API_ACTIVITY'], EventCategory: 'Data' }],
        },
      }),
    ).toContain(
      'policies[0].require.eventConfiguration.AggregationConfiguration: unknown key "AggregationConfiguration"; did you mean "AggregationConfigurations"?',
    );
  });
});

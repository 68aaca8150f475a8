import { describe, expect, it } from 'vitest';
import { formatProblem, parsePolicyText } from '../../shared/policy/loader.js';

/** Policies ask only for what AWS accepts on their resource kind: rejected at load, with file:line and the rule. */
const problems = (text: string) => parsePolicyText(text, 'p.yaml').problems.map(formatProblem);
const policy = (resource: 'trail' | 'eventDataStore', body: string[]) =>
  ['version: 1', 'policies:', '  - id: p', `    resource: ${resource}`, ...body, ''].join('\n');

describe('policy loader: selectors follow the field table of the resource kind', () => {
  const consoleLogin = (resource: 'trail' | 'eventDataStore', section: 'require' | 'forbid') =>
    policy(resource, [
      `    ${section}:`,
      '      logEvents:',
      '        - FieldSelectors:',
      '            - { Field: eventCategory, Equals: [Management] }',
      '            - { Field: eventName, Equals: [ConsoleLogin] }',
    ]);

  it('rejects a trail policy requiring {Management, eventName=ConsoleLogin}, naming line, rule and allowed fields', () => {
    expect(problems(consoleLogin('trail', 'require'))).toEqual([
      'p.yaml:9:15: error: policies[0].require.logEvents[0].FieldSelectors[1]: eventName is not allowed in Management selectors on a trail (allowed: eventCategory, eventSource, readOnly); event data stores allow it',
    ]);
    expect(problems(consoleLogin('eventDataStore', 'require'))).toEqual([]);
  });

  it('reads forbid.logEvents as a set of events: the cost guard eventSource Equals kms.amazonaws.com loads', () => {
    const costGuard = policy('trail', [
      '    forbid:',
      '      logEvents:',
      '        - FieldSelectors:',
      '            - { Field: eventCategory, Equals: [Management] }',
      '            - { Field: eventSource, Equals: [kms.amazonaws.com] }',
    ]);
    expect(problems(costGuard)).toEqual([]);
    const requireKms = costGuard.replace('forbid:', 'require:');
    expect(problems(requireKms)).toEqual([
      'p.yaml:9:15: error: policies[0].require.logEvents[0].FieldSelectors[1]: for management events on a trail, eventSource may only be NotEquals kms.amazonaws.com or rdsdata.amazonaws.com (allowed fields: eventCategory, eventSource, readOnly); event data stores allow any eventSource condition',
    ]);
  });

  it('warns, without rejecting, about a forbidden set a trail cannot remove exactly', () => {
    expect(problems(consoleLogin('trail', 'forbid'))).toEqual([
      'p.yaml:9:15: warning: policies[0].forbid.logEvents[0].FieldSelectors[1]: eventName is not allowed in Management selectors on a trail (allowed: eventCategory, eventSource, readOnly): these events are reported when logged, but a repair cannot remove exactly them; event data stores allow it',
    ]);
  });

  it('rejects network activity without eventSource, and readOnly or errorCode misuse', () => {
    const text = policy('eventDataStore', [
      '    require:',
      '      logEvents:',
      '        - FieldSelectors:',
      '            - { Field: eventCategory, Equals: [NetworkActivity] }',
      '            - { Field: readOnly, Equals: ["true"] }',
      '            - { Field: errorCode, Equals: [AccessDenied] }',
    ]);
    expect(problems(text)).toEqual([
      'p.yaml:10:44: error: policies[0].require.logEvents[0].FieldSelectors[2].Equals[0]: errorCode takes only "VpceAccessDenied", got "AccessDenied"',
      'p.yaml:9:15: error: policies[0].require.logEvents[0].FieldSelectors[1]: readOnly is not allowed in NetworkActivity selectors on an event data store (allowed: eventCategory, eventSource, eventName, errorCode, vpcEndpointId); readOnly belongs in Management and Data selectors',
      'p.yaml:8:13: error: policies[0].require.logEvents[0].FieldSelectors: eventSource is required for network activity events on an event data store (NetworkActivity selectors need eventCategory, eventSource; allowed: eventCategory, eventSource, eventName, errorCode, vpcEndpointId)',
    ]);
  });
});

describe('policy loader: event configuration per target (PutEventConfiguration)', () => {
  const config = (resource: 'trail' | 'eventDataStore', lines: string[]) =>
    problems(
      policy(resource, ['    require:', '      eventConfiguration:', ...lines.map((l) => `        ${l}`)]),
    );

  it('rejects event size and context keys on a trail, naming the rule', () => {
    expect(config('trail', ['MaxEventSize: Large'])).toEqual([
      'p.yaml:7:9: error: policies[0].require.eventConfiguration.MaxEventSize: MaxEventSize is set on event data stores only; a trail takes AggregationConfigurations only (PutEventConfiguration: event size and context keys for event data stores, aggregation for trails)',
    ]);
    expect(config('trail', ['ContextKeySelectors: [{ Type: TagContext, Equals: [project] }]'])).toEqual([
      'p.yaml:7:9: error: policies[0].require.eventConfiguration.ContextKeySelectors: ContextKeySelectors is set on event data stores only; a trail takes AggregationConfigurations only (PutEventConfiguration: event size and context keys for event data stores, aggregation for trails)',
    ]);
  });

  it('rejects aggregation on an event data store, naming the rule', () => {
    expect(
      config('eventDataStore', [
        'AggregationConfigurations: [{ Templates: [API_ACTIVITY], EventCategory: Data }]',
      ]),
    ).toEqual([
      'p.yaml:7:9: error: policies[0].require.eventConfiguration.AggregationConfigurations: AggregationConfigurations is set on trails only; an event data store takes MaxEventSize and ContextKeySelectors (PutEventConfiguration: event size and context keys for event data stores, aggregation for trails)',
    ]);
  });

  it('takes at most 2 context key selectors, which need Large events, and asks for something', () => {
    expect(
      config('eventDataStore', [
        'MaxEventSize: Large',
        'ContextKeySelectors:',
        '  - { Type: TagContext, Equals: [a] }',
        '  - { Type: RequestContext, Equals: [b] }',
        '  - { Type: TagContext, Equals: [c] }',
      ]),
    ).toEqual([
      'p.yaml:9:11: error: policies[0].require.eventConfiguration.ContextKeySelectors: at most 2 context key selectors, got 3',
    ]);
    expect(
      config('eventDataStore', [
        'MaxEventSize: Standard',
        'ContextKeySelectors: [{ Type: TagContext, Equals: [a] }]',
      ]),
    ).toEqual([
      'p.yaml:7:23: error: policies[0].require.eventConfiguration.MaxEventSize: ContextKeySelectors need MaxEventSize Large',
    ]);
    expect(config('trail', ['{}'])).toEqual([
      'p.yaml:7:9: error: policies[0].require.eventConfiguration: expected AggregationConfigurations',
    ]);
    expect(config('eventDataStore', ['{}'])).toEqual([
      'p.yaml:7:9: error: policies[0].require.eventConfiguration: expected MaxEventSize or ContextKeySelectors',
    ]);
    expect(
      config('trail', ['AggregationConfigurations: [{ Templates: [API_ACTIVITY], EventCategory: Data }]']),
    ).toEqual([]);
  });
});

describe('policy loader: retention period', () => {
  it('rejects minDays above maxDays', () => {
    expect(
      problems(
        policy('eventDataStore', ['    require:', '      retentionPeriod: { minDays: 400, maxDays: 7 }']),
      ),
    ).toEqual([
      'p.yaml:6:35: error: policies[0].require.retentionPeriod.minDays: minDays (400) is above maxDays (7); no retention period satisfies both',
    ]);
  });
});

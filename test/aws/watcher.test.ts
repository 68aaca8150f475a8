import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkRule, missingEventNames } from '../../shared/aws/watcher.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';

const events = mockClient(EventBridgeClient);
const FN = 'arn:aws:lambda:us-east-1:111122223333:function:trailwarden-prod-onTrailChange';
const RULE = 'arn:aws:events:us-east-1:111122223333:rule/trailwarden-prod-cloudtrail-changes';
const pattern = (names: readonly string[]) =>
  JSON.stringify({ source: ['aws.cloudtrail'], detail: { eventName: names } });
const check = () =>
  checkRule(new EventBridgeClient({ region: 'us-east-1' }), {
    ruleName: 'trailwarden-prod-cloudtrail-changes',
    functionArn: FN,
    eventNames: WATCHED_EVENT_NAMES,
    partition: 'aws',
    region: 'us-east-1',
    account: '111122223333',
  });

beforeEach(() => {
  events.reset();
  events
    .on(DescribeRuleCommand)
    .resolves({ Arn: RULE, State: 'ENABLED', EventPattern: pattern(WATCHED_EVENT_NAMES) });
  events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: '1', Arn: FN }] });
});

describe('watching the rule that feeds onTrailChange (EventBridge)', () => {
  it('an enabled rule targeting the function and matching every watched call is fine', async () => {
    expect(await check()).toEqual({
      ruleName: 'trailwarden-prod-cloudtrail-changes',
      ruleArn: RULE,
      problems: [],
    });
    expect(events).toHaveReceivedCommandWith(DescribeRuleCommand, {
      Name: 'trailwarden-prod-cloudtrail-changes',
    });
    expect(events).toHaveReceivedCommandWith(ListTargetsByRuleCommand, {
      Rule: 'trailwarden-prod-cloudtrail-changes',
    });
  });

  it('says what is wrong: disabled, retargeted, narrowed', async () => {
    events.on(DescribeRuleCommand).resolves({
      Arn: RULE,
      State: 'DISABLED',
      EventPattern: pattern(WATCHED_EVENT_NAMES.filter((n) => n !== 'StopLogging')),
    });
    events
      .on(ListTargetsByRuleCommand)
      .resolves({ Targets: [{ Id: '1', Arn: 'arn:aws:sqs:us-east-1:111122223333:elsewhere' }] });
    expect((await check()).problems).toEqual([
      'the rule trailwarden-prod-cloudtrail-changes is DISABLED',
      `the rule trailwarden-prod-cloudtrail-changes no longer targets ${FN} (targets: arn:aws:sqs:us-east-1:111122223333:elsewhere)`,
      'the rule trailwarden-prod-cloudtrail-changes no longer matches StopLogging',
    ]);
  });

  it('a deleted rule is a problem; a rule it may not read is an error, not a pass', async () => {
    events
      .on(DescribeRuleCommand)
      .rejects(new ResourceNotFoundException({ message: 'Rule does not exist', $metadata: {} }));
    expect(await check()).toEqual({
      ruleName: 'trailwarden-prod-cloudtrail-changes',
      ruleArn: RULE,
      problems: ['the rule trailwarden-prod-cloudtrail-changes no longer exists'],
    });
    events
      .on(DescribeRuleCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    expect(await check()).toMatchObject({ problems: [], error: expect.stringContaining('AccessDenied') });
  });

  it('a target qualified by an alias still counts; a pattern without an eventName filter lets all through', async () => {
    events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: '1', Arn: `${FN}:live` }] });
    expect((await check()).problems).toEqual([]);
    expect(missingEventNames(JSON.stringify({ source: ['aws.cloudtrail'] }), ['StopLogging'])).toEqual([]);
    expect(missingEventNames('not json', ['StopLogging'])).toEqual(['StopLogging']);
  });
});

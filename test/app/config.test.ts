import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/app/config.js';

const base = { TABLE_NAME: 'findings', AWS_REGION: 'eu-west-1' };

describe('configuration, parsed once at cold start', () => {
  it("reads the stack's settings with their defaults", () => {
    expect(loadConfig(base)).toEqual({
      region: 'eu-west-1',
      table: 'findings',
      policyPaths: 'policies',
      regions: ['eu-west-1'],
      remediation: false,
      securityHub: false,
      eventBridgeFindings: true,
      breaker: { maxRemediations: 3, windowMinutes: 60 },
    });
    expect(
      loadConfig({
        ...base,
        REGIONS: 'us-east-1, eu-west-1',
        REMEDIATION: 'true',
        REMEDIATE_FUNCTION: 'trailwarden-prod-remediate',
        BREAKER_MAX: '5',
        BREAKER_WINDOW_MINUTES: '30',
        SLACK_WEBHOOK_PARAMETER: '',
        TOPIC_ARN: 'arn:aws-us-gov:sns:us-gov-west-1:111122223333:findings',
        WATCHED_RULE_NAME: 'trailwarden-prod-cloudtrail-changes',
        ON_TRAIL_CHANGE_FUNCTION: 'trailwarden-prod-onTrailChange',
      }),
    ).toMatchObject({
      regions: ['us-east-1', 'eu-west-1'],
      remediation: true,
      breaker: { maxRemediations: 5, windowMinutes: 30 },
      topicArn: 'arn:aws-us-gov:sns:us-gov-west-1:111122223333:findings',
      watchedRule: 'trailwarden-prod-cloudtrail-changes',
    });
  });

  it.each([
    [{ BREAKER_MAX: 'abc' }, /BREAKER_MAX expected a whole number from 1 to 1000 \(got "abc"\)/],
    [{ BREAKER_MAX: '0' }, /BREAKER_MAX expected at least 1/],
    [{ BREAKER_WINDOW_MINUTES: '1.5' }, /BREAKER_WINDOW_MINUTES expected a whole number/],
    [{ REMEDIATION: 'yes' }, /REMEDIATION expected true or false \(got "yes"\)/],
    [{ REMEDIATION: 'true' }, /REMEDIATE_FUNCTION is required when REMEDIATION=true/],
    [{ REGIONS: 'us-east-1,mars' }, /REGIONS expected comma-separated Region names/],
    [{ TABLE_NAME: undefined }, /TABLE_NAME is required/],
    [
      { SLACK_WEBHOOK_PARAMETER: 'https://hooks.slack.com/x' },
      /SLACK_WEBHOOK_PARAMETER expected an SSM parameter name/,
    ],
    [{ WATCHED_RULE_NAME: 'r' }, /ON_TRAIL_CHANGE_FUNCTION is required with WATCHED_RULE_NAME/],
  ])('a bad value fails with a message naming the variable: %j', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  it('never echoes the Slack setting, where a webhook URL may have been pasted by mistake', () => {
    expect(() =>
      loadConfig({ ...base, SLACK_WEBHOOK_PARAMETER: 'https://hooks.slack.com/services/T/B/SECRET' }),
    ).toThrow(
      /^invalid configuration: SLACK_WEBHOOK_PARAMETER expected an SSM parameter name starting with \/$/,
    );
  });
});

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

  describe('the central stack (STACK_MODE=central)', () => {
    const central = { ...base, STACK_MODE: 'central', ORGANIZATION_ID: 'o-a1b2c3d4e5' };

    it('acts in every account of the organization, or in the accounts listed', () => {
      expect(loadConfig({ ...central, ORGANIZATION: 'true' }).central).toEqual({
        accounts: 'organization',
        organizationId: 'o-a1b2c3d4e5',
      });
      expect(
        loadConfig({
          ...central,
          ACCOUNTS: '111111111111, 222222222222,111111111111',
          MEMBER_ROLE_NAME: 'OrganizationAccountAccessRole',
          EXTERNAL_ID: 'acme-7f3a',
          SWEEP_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/999999999999/trailwarden-prod-sweep',
          CHANGE_BUS_NAME: 'trailwarden-prod',
        }).central,
      ).toEqual({
        accounts: ['111111111111', '222222222222'],
        organizationId: 'o-a1b2c3d4e5',
        memberRoleName: 'OrganizationAccountAccessRole',
        externalId: 'acme-7f3a',
        sweepQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/999999999999/trailwarden-prod-sweep',
        changeBus: 'trailwarden-prod',
      });
      // Today's stack: one account, no central settings.
      expect(loadConfig(base).central).toBeUndefined();
      expect(loadConfig({ ...base, STACK_MODE: 'single' }).central).toBeUndefined();
    });

    it.each([
      [{ STACK_MODE: 'multi' }, /STACK_MODE expected single or central \(got "multi"\)/],
      [{}, /ACCOUNTS or ORGANIZATION=true is required with STACK_MODE=central/],
      [{ ORGANIZATION: 'true', ACCOUNTS: '111111111111' }, /ACCOUNTS must be empty with ORGANIZATION=true/],
      [
        { ACCOUNTS: '11111111111' },
        /ACCOUNTS expected comma-separated 12-digit account ids such as [\d,]+ \(got "11111111111"\)/,
      ],
      [{ ACCOUNTS: ',' }, /ACCOUNTS expected at least one account id/],
      [{ ORGANIZATION: 'yes' }, /ORGANIZATION expected true or false/],
      [
        { ORGANIZATION: 'true', ORGANIZATION_ID: undefined },
        /ORGANIZATION_ID is required with STACK_MODE=central/,
      ],
      [
        { ORGANIZATION: 'true', ORGANIZATION_ID: 'org-1' },
        /ORGANIZATION_ID expected an organization id such as o-a1b2c3d4e5/,
      ],
      [{ ORGANIZATION: 'true', MEMBER_ROLE_NAME: 'no spaces' }, /MEMBER_ROLE_NAME expected an IAM role name/],
      [
        { ORGANIZATION: 'true', EXTERNAL_ID: 'x' },
        /^invalid configuration: EXTERNAL_ID expected 2 to 1224 characters/,
      ],
      [{ ORGANIZATION: 'true', SWEEP_QUEUE_URL: 'sweep' }, /SWEEP_QUEUE_URL expected an SQS queue URL/],
    ])('a bad central setting fails the cold start naming the variable: %j', (env, message) => {
      expect(() => loadConfig({ ...central, ...env })).toThrow(ConfigError);
      expect(() => loadConfig({ ...central, ...env })).toThrow(message);
    });

    it('refuses central settings in a single-account stack, and never echoes the external id', () => {
      expect(() => loadConfig({ ...base, ACCOUNTS: '111111111111' })).toThrow(
        /ACCOUNTS is only used with STACK_MODE=central/,
      );
      expect(() => loadConfig({ ...base, ORGANIZATION: 'true' })).toThrow(
        /ORGANIZATION is only used with STACK_MODE=central/,
      );
      expect(() => loadConfig({ ...central, ORGANIZATION: 'true', EXTERNAL_ID: 'x' })).not.toThrow(/"x"/);
    });
  });
});

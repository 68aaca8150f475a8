import {
  DescribeRuleCommand,
  type DescribeRuleCommandOutput,
  type EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { translateAwsError } from './errors.js';

/** What the sweep found about the rule that feeds onTrailChange. */
export interface RuleReport {
  readonly ruleName: string;
  /** The rule's ARN, or a name-based placeholder when the rule is gone. */
  readonly ruleArn: string;
  /** Why the rule no longer does its job; empty when it does. */
  readonly problems: readonly string[];
  /** Set when the rule could not be read at all (e.g. AccessDenied). */
  readonly error?: string;
}

/** A target of the rule is the function, possibly qualified by an alias or version. */
const targets = (arn: string | undefined, fn: string) => arn === fn || arn?.startsWith(`${fn}:`) === true;

/**
 * Watches the watcher: the EventBridge rule that sends CloudTrail changes to onTrailChange must be
 * ENABLED, still target the function, and still match every watched call. Anyone able to disable
 * or retarget it blinds the real-time path, and nothing else would say so.
 */
export async function checkRule(
  client: EventBridgeClient,
  options: {
    ruleName: string;
    functionArn: string;
    eventNames: readonly string[];
    /** Where the rule's ARN is built when the rule no longer exists. */
    partition: string;
    region: string;
    account: string;
    /** The custom event bus the rule is on (a central stack's); absent: the default bus. */
    eventBus?: string;
  },
): Promise<RuleReport> {
  const { ruleName, eventBus } = options;
  const onBus = eventBus ? { EventBusName: eventBus } : {};
  const placeholder = `arn:${options.partition}:events:${options.region}:${options.account}:rule/${eventBus ? `${eventBus}/` : ''}${ruleName}`;
  let rule: DescribeRuleCommandOutput;
  try {
    rule = await client.send(new DescribeRuleCommand({ Name: ruleName, ...onBus }));
  } catch (error) {
    const e = translateAwsError(error, 'DescribeRule');
    if ((error as { name?: string }).name === 'ResourceNotFoundException')
      return { ruleName, ruleArn: placeholder, problems: [`the rule ${ruleName} no longer exists`] };
    return { ruleName, ruleArn: placeholder, problems: [], error: `${e.code}: ${e.detail}` };
  }
  const ruleArn = rule.Arn ?? placeholder;
  const problems: string[] = [];
  if (rule.State !== 'ENABLED')
    problems.push(`the rule ${ruleName} is ${rule.State ?? 'in an unknown state'}`);
  try {
    const arns: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListTargetsByRuleCommand({ Rule: ruleName, NextToken, ...onBus }));
      for (const t of page.Targets ?? []) if (t.Arn) arns.push(t.Arn);
      NextToken = page.NextToken;
    } while (NextToken);
    if (!arns.some((a) => targets(a, options.functionArn)))
      problems.push(
        `the rule ${ruleName} no longer targets ${options.functionArn} (targets: ${arns.join(', ') || 'none'})`,
      );
  } catch (error) {
    const e = translateAwsError(error, 'ListTargetsByRule');
    return { ruleName, ruleArn, problems, error: `${e.code}: ${e.detail}` };
  }
  const missing = missingEventNames(rule.EventPattern, options.eventNames);
  if (missing.length) problems.push(`the rule ${ruleName} no longer matches ${missing.join(', ')}`);
  return { ruleName, ruleArn, problems };
}

/** Watched calls the rule's pattern no longer lets through (an unreadable pattern lets none). */
export function missingEventNames(pattern: string | undefined, eventNames: readonly string[]): string[] {
  let names: unknown;
  try {
    names = (JSON.parse(pattern ?? '{}') as { detail?: { eventName?: unknown } }).detail?.eventName;
  } catch {
    return [...eventNames];
  }
  // No eventName filter: every call passes.
  if (names === undefined) return [];
  if (!Array.isArray(names)) return [...eventNames];
  return eventNames.filter((n) => !names.includes(n));
}

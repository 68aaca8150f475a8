import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
/** Relative to the repository, where the CLI runs, so messages name the file as a user typed it. */
const fixture = (name: string) => join('test', 'cli', 'fixtures', name);
const run = promisify(execFile);

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin', 'trailwarden.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('trailwarden validate: what AWS would reject is explained with the rule and the allowed fields', () => {
  it('exits 2 and prints every rejection with file:line, the rule and what is allowed', async () => {
    const file = fixture('policy-trail-console-login.yaml');
    const { code, stdout, stderr } = await cli('validate', '--policies', file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      `${file}:9:15: error: policies[0].require.logEvents[0].FieldSelectors[1]: eventName is not allowed in Management selectors on a trail (allowed: eventCategory, eventSource, readOnly); event data stores allow it`,
      `${file}:14:15: error: policies[0].forbid.logEvents[0].FieldSelectors[1]: readOnly is not allowed in NetworkActivity selectors on a trail (allowed: eventCategory, eventSource, eventName, errorCode, vpcEndpointId, userIdentity.arn); readOnly belongs in Management and Data selectors`,
      `${file}:18:29: error: policies[1].require.eventConfiguration.MaxEventSize: MaxEventSize is set on event data stores only; a trail takes AggregationConfigurations only (PutEventConfiguration: event size and context keys for event data stores, aggregation for trails)`,
    ]);
  });

  it('accepts the cost guard as a forbidden set, and warns when a trail cannot remove a set exactly', async () => {
    const file = fixture('policy-cost-guard-kms.yaml');
    const { code, stdout } = await cli('validate', '--policies', file);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `${file}:17:15: warning: policies[1].forbid.logEvents[0].FieldSelectors[1]: eventName is not allowed in Management selectors on a trail`,
    );
    expect(stdout).toContain('2 policies valid, 1 warnings');
  });
});

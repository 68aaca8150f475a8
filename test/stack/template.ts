/** What the stack tests share: packaging the stack offline, cfn-lint, and reading its IAM. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const root = join(import.meta.dirname, '..', '..');
export const run = promisify(execFile);

export type Resource = { Type: string; Condition?: string; Properties: Record<string, unknown> };
export type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};
export type Template = {
  Parameters: Record<string, { Default?: string }>;
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
};
export const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

/** `serverless package --stage ci …` into a new folder, offline and without credentials, as CI and a newcomer's laptop run it. */
export async function packageStack(params: string[] = []): Promise<{ out: string; template: Template }> {
  const out = mkdtempSync(join(tmpdir(), 'trailwarden-stack-'));
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
    SLS_TELEMETRY_DISABLED: '1',
  };
  await run(
    process.execPath,
    [
      join(root, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'package',
      '--stage',
      'ci',
      ...params.flatMap((p) => ['--param', p]),
      '--package',
      out,
    ],
    { cwd: root, env },
  );
  return { out, template: JSON.parse(readFileSync(join(out, TEMPLATE_FILE), 'utf8')) };
}

/** cfn-lint on a template file; W3005 (a redundant DependsOn serverless writes) is not ours. */
export async function cfnLint(file: string, ignore: string[] = ['W3005']): Promise<void> {
  try {
    await run('cfn-lint', [...(ignore.length ? ['--ignore-checks', ...ignore] : []), '--', file]);
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string };
    if (e.code === 'ENOENT') throw new Error('cfn-lint was not found: install it with pip install cfn-lint');
    throw new Error(`cfn-lint failed:\n${e.stdout}`);
  }
}

export const resourcesOfType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);
export const statementsOf = (role: Resource): Statement[] =>
  (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
export const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const WRITES = /^cloudtrail:(Put|Start|Stop|Update|Create|Delete|Add|Remove)/;

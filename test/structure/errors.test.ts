import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../../shared/aws/errors.js';
import { InputError } from '../../shared/cli/io.js';
import { SnapshotError } from '../../shared/engine/snapshot.js';
import { TrailwardenError } from '../../shared/errors.js';
import { MalformedEventError } from '../../shared/events/cloudtrailEvent.js';
import { TemplateError } from '../../shared/iac/source.js';
import { ChannelError, NotificationError } from '../../shared/notify/notifier.js';
import { PolicyLoadError } from '../../shared/policy/document.js';
import { MergeError, PolicyConflictError, SelectorError } from '../../shared/selectors/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('one root error', () => {
  it('every error class of the product extends TrailwardenError (shared/errors.ts), directly or not', () => {
    const roots = [...sources(join(root, 'shared')), ...sources(join(root, 'functions'))].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/class (\w+) extends (\w*Error)\b/g)]
        .filter((m) => m[2] === 'Error' || m[2] === 'TypeError' || m[2] === 'RangeError')
        .map((m) => `${file.slice(root.length)}: ${m[1]}`),
    );
    expect(roots).toEqual(['shared/errors.ts: TrailwardenError']);
  });

  it('keeps names, messages and causes', () => {
    const cause = new Error('underneath');
    const samples: Error[] = [
      new SelectorError('bad', '$[0]', 'nope'),
      new PolicyConflictError('require[0]', 'forbid[0]', { eventCategory: 'Data' }),
      new MergeError('cannot'),
      new PolicyLoadError([]),
      new SnapshotError(['trails', 0], 'expected an object'),
      new TemplateError('t.yaml: not valid YAML'),
      new MalformedEventError('no detail'),
      new AwsCallError('GetTrailStatus', 'AccessDeniedException', 'no', cause, 'access-denied'),
      new InputError('--region: expected a Region code'),
      new ChannelError('slack', 'Slack answered HTTP 500', '500'),
      new NotificationError([{ channel: 'slack', error: cause }]),
    ];
    for (const e of samples) expect(e, e.name).toBeInstanceOf(TrailwardenError);
    expect(samples.map((e) => e.name)).toEqual([
      'SelectorError',
      'PolicyConflictError',
      'MergeError',
      'PolicyLoadError',
      'SnapshotError',
      'TemplateError',
      'MalformedEventError',
      'AwsCallError',
      'InputError',
      'ChannelError',
      'NotificationError',
    ]);
    const denied = samples[7] as AwsCallError;
    expect(denied).toBeInstanceOf(AwsCallError);
    expect(denied.cause).toBe(cause);
    expect(denied.message).toBe('GetTrailStatus: AccessDeniedException: no');
    expect(samples[4]?.message).toBe('$.trails[0]: expected an object');
    expect(new TrailwardenError('x', { cause }).cause).toBe(cause);
  });
});

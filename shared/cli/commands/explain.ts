/** `trailwarden explain`: would this event be logged by the resource, and by which selector? */
import type { Command } from 'commander';
import { resourceViews } from '../../engine/index.js';
import {
  type AdvancedEventSelector,
  type CloudTrailEvent,
  EVENT_FIELDS,
  explainMiss,
  hasArnShape,
  matchingSelectors,
  partitionOf,
  resourceTypeInfo,
} from '../../selectors/index.js';
import { closest } from '../../selectors/suggest.js';
import type { CommandContext, Io } from '../context.js';
import { exitFor } from '../exit.js';
import { formatBytes, InputError, LIMITS, printable, readSnapshot } from '../io.js';
import { palette } from '../render.js';

export function explainCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('explain')
    .description('would this event be logged by the resource, and by which selector?')
    .requiredOption('--snapshot <file>', 'snapshot file')
    .requiredOption('--resource <name-or-arn>', 'trail or event data store name or ARN')
    .requiredOption(
      '--event <json>',
      'the event, e.g. \'{"eventCategory":"Data","resources.type":"AWS::S3::Object",...}\'',
    )
    .addHelpText(
      'after',
      `\nFields: ${EVENT_FIELDS.join(', ')}.\nExit codes: 0 LOGGED, 1 NOT LOGGED, 2 bad input, 3 the resource's selectors are not known.\n\nExamples:\n  trailwarden explain --snapshot examples/demo-account/snapshot.json --resource data-events \\\n    --event '{"eventCategory":"Data","readOnly":"false","resources.type":"AWS::S3::Object","resources.ARN":"arn:aws:s3:::acme-payroll/q3.csv"}'`,
    )
    .action((opts: { snapshot: string; resource: string; event: string }) => {
      setExit(explain(opts, io));
    });
}

function parseEvent(text: string): CloudTrailEvent {
  const size = Buffer.byteLength(text);
  if (size > LIMITS.event)
    throw new InputError(
      `--event: ${formatBytes(size)} is more than the ${formatBytes(LIMITS.event)} an event may have`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--event: not valid JSON: ${printable((error as Error).message)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new InputError('--event: expected a JSON object of field names to strings');
  for (const [k, v] of Object.entries(data)) {
    // A misspelt field would otherwise be read as absent, and the verdict would be about another event.
    if (!(EVENT_FIELDS as readonly string[]).includes(k)) {
      const hint = closest(k, EVENT_FIELDS);
      throw new InputError(
        `--event: unknown field ${JSON.stringify(k)}${hint ? `; did you mean "${hint}"?` : ''} (fields: ${EVENT_FIELDS.join(', ')})`,
      );
    }
    if (typeof v !== 'string')
      throw new InputError(`--event: field ${k} must be a string (write readOnly as "true" or "false")`);
  }
  return data as CloudTrailEvent;
}

/**
 * An event's resource ARN must be an ARN of its type in the resource's partition, as `check`
 * assumes; anything else is an event no trail could log, so a verdict on it would mislead.
 */
function checkEventArn(event: CloudTrailEvent, resourceArn: string) {
  const type = event['resources.type'];
  const arn = event['resources.ARN'];
  const info = type === undefined ? undefined : resourceTypeInfo(type);
  if (!info || arn === undefined) return;
  const partition = partitionOf(resourceArn);
  if (hasArnShape(info.type, arn, partition)) return;
  throw new InputError(
    `--event: resources.ARN ${JSON.stringify(arn)} is no ${info.type} ARN${partition ? ` in partition ${partition}` : ''}; expected ${partition ? info.format.replace('<partition>', partition) : info.format}`,
  );
}

function explain(opts: { snapshot: string; resource: string; event: string }, io: Io): number {
  const event = parseEvent(opts.event);
  const r = readSnapshot(opts.snapshot)
    .flatMap(resourceViews)
    .find((x) => x.name === opts.resource || x.arn === opts.resource);
  if (!r)
    throw new InputError(
      `--resource ${opts.resource}: no trail or event data store of that name or ARN in the snapshot`,
    );
  checkEventArn(event, r.arn);
  if (!r.selectors) {
    io.out(`${r.name}: ${r.selectorProblem ?? 'its event selectors are not known in this snapshot'}\n`);
    return exitFor({ fail: 0, error: 1 });
  }
  const selectors = r.selectors as AdvancedEventSelector[];
  const hits = matchingSelectors(selectors, event);
  const c = palette(io.color);
  const nameOf = (i: number) => `#${i}${selectors[i]?.Name ? ` "${selectors[i]?.Name}"` : ''}`;
  if (hits.length > 0) {
    io.out(`${c.green('LOGGED')} by ${r.name}: matches selector ${hits.map(nameOf).join(', ')}\n`);
    if (r.active === false)
      io.out(c.yellow(`but ${r.name} is not logging right now, so nothing is delivered\n`));
    return exitFor({ fail: 0, error: 0 });
  }
  io.out(`${c.red('NOT LOGGED')} by ${r.name}:\n`);
  if (selectors.length === 0) io.out('  it has no selectors, so it logs nothing\n');
  for (const miss of explainMiss(selectors, event)) {
    io.out(
      `  selector ${nameOf(miss.selector)}: ${miss.field} is ${miss.value === undefined ? 'absent' : JSON.stringify(miss.value)}, which does not match ${JSON.stringify(miss.condition)}\n`,
    );
  }
  return exitFor({ fail: 1, error: 0 });
}

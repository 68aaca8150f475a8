import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { type Evaluation, evaluate, resourceViews, simulatePlan } from '../engine/index.js';
import { PolicyLoadError } from '../policy/loader.js';
import {
  type AdvancedEventSelector,
  type CloudTrailEvent,
  compileSelectors,
  matchingSelectors,
  validate,
} from '../selectors/index.js';
import { constraintMatches } from '../selectors/match.js';
import { InputError, loadPolicies, readSnapshot } from './io.js';
import {
  type Format,
  findingsMarkdown,
  findingsTable,
  palette,
  planMarkdown,
  planTable,
  problemsText,
  toJson,
} from './render.js';

export const EXIT = { ok: 0, findings: 1, input: 2, runtime: 3 } as const;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  color: boolean;
}

interface CommonOptions {
  snapshot?: string;
  policies: string[];
  format: Format | 'asff';
  region?: string[];
  profile?: string;
  endpointUrl?: string;
}

function requireSnapshot(opts: CommonOptions): string {
  if (opts.region || opts.profile || opts.endpointUrl) {
    throw new InputError(
      'live AWS mode (--region, --profile, --endpoint-url) is not available yet; write a snapshot file and pass --snapshot FILE',
    );
  }
  if (!opts.snapshot)
    throw new InputError('--snapshot FILE is required (live AWS mode is not available yet)');
  if (opts.format === 'asff')
    throw new InputError('--format asff (Security Hub) is not available yet; use table, json or markdown');
  return opts.snapshot;
}

function run(opts: CommonOptions): Evaluation {
  const snapshot = readSnapshot(requireSnapshot(opts));
  const { policies } = loadPolicies(opts.policies);
  return evaluate(snapshot, policies);
}

/** 1 on any FAIL, 3 on errors without failures, 0 when compliant. */
function exitFor(result: Evaluation): number {
  if (result.summary.fail > 0) return EXIT.findings;
  if (result.summary.error > 0) return EXIT.runtime;
  return EXIT.ok;
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('--snapshot <file>', 'snapshot file (JSON, AWS response shapes)')
    .option('--policies <path...>', 'policy files or folders', ['policies'])
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'markdown', 'asff'])
        .default('table'),
    )
    .option('--region <region...>', 'live mode: Regions to read (not available yet)')
    .option('--profile <name>', 'live mode: AWS profile (not available yet)')
    .option('--endpoint-url <url>', 'live mode: CloudTrail endpoint (not available yet)');
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('trailwarden')
    .description(
      'Keeps AWS CloudTrail logging compliant: exact selector verdicts, example events, safe repairs.',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  addCommon(program.command('check'))
    .description('evaluate a snapshot against policies; exit 1 on any failure')
    .addHelpText(
      'after',
      '\nExamples:\n  trailwarden check --snapshot examples/demo-account/snapshot.json\n  trailwarden check --snapshot snap.json --policies policies/cis-aws-foundations.yaml --format json',
    )
    .option('--all', 'also list passing checks (table format)')
    .action((opts: CommonOptions & { all?: boolean }) => {
      const result = run(opts);
      if (opts.format === 'json') io.out(toJson(result, { findings: true, plan: true }));
      else if (opts.format === 'markdown') io.out(findingsMarkdown(result));
      else io.out(findingsTable(result, io.color, opts.all));
      setExit(exitFor(result));
    });

  addCommon(program.command('plan'))
    .description('the exact Put* requests that would repair the failures of remediate policies')
    .addHelpText(
      'after',
      '\nExamples:\n  trailwarden plan --snapshot examples/demo-account/snapshot.json --policies policies/examples',
    )
    .action((opts: CommonOptions) => {
      const result = run(opts);
      if (opts.format === 'json') io.out(toJson(result, { findings: false, plan: true }));
      else if (opts.format === 'markdown') io.out(planMarkdown(result.plan));
      else io.out(planTable(result.plan, io.color));
      setExit(exitFor(result));
    });

  program
    .command('validate')
    .description('check policy files (and, with --snapshot, lint the selectors of every resource)')
    .option('--policies <path...>', 'policy files or folders', ['policies'])
    .option('--snapshot <file>', 'also lint the selectors found in this snapshot')
    .addHelpText(
      'after',
      '\nExamples:\n  trailwarden validate --policies policies/\n  trailwarden validate --snapshot snap.json',
    )
    .action((opts: { policies: string[]; snapshot?: string }) => {
      const { policies, warnings } = loadPolicies(opts.policies);
      const c = palette(io.color);
      if (warnings.length > 0) io.out(problemsText(warnings, io.color));
      let lint = 0;
      if (opts.snapshot) {
        for (const r of resourceViews(readSnapshot(opts.snapshot))) {
          if (!r.selectorConfig) continue;
          for (const p of validate(r.selectorConfig, r.kind)) {
            lint++;
            io.out(`${r.name}: ${p.severity}: ${p.path}: ${p.message}\n`);
          }
        }
      }
      io.out(
        c.green(
          `${policies.length} policies valid${warnings.length ? `, ${warnings.length} warnings` : ''}${opts.snapshot ? `, ${lint} selector findings in the snapshot` : ''}\n`,
        ),
      );
      setExit(EXIT.ok);
    });

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
      '\nExamples:\n  trailwarden explain --snapshot examples/demo-account/snapshot.json --resource data-events \\\n    --event \'{"eventCategory":"Data","readOnly":"false","resources.type":"AWS::S3::Object","resources.ARN":"arn:aws:s3:::acme-payroll/q3.csv"}\'',
    )
    .action((opts: { snapshot: string; resource: string; event: string }) => {
      setExit(explain(opts, io));
    });

  program
    .command('demo')
    .description(
      'check and plan a realistic drifted account (examples/demo-account) with the CIS pack and the examples',
    )
    .action(() => {
      setExit(demo(io));
    });

  return program;
}

function parseEvent(text: string): CloudTrailEvent {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--event: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new InputError('--event: expected a JSON object of field names to strings');
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string')
      throw new InputError(`--event: field ${k} must be a string (write readOnly as "true" or "false")`);
  }
  return data as CloudTrailEvent;
}

function explain(opts: { snapshot: string; resource: string; event: string }, io: Io): number {
  const event = parseEvent(opts.event);
  const snapshot = readSnapshot(opts.snapshot);
  const r = resourceViews(snapshot).find((x) => x.name === opts.resource || x.arn === opts.resource);
  if (!r)
    throw new InputError(
      `--resource ${opts.resource}: no trail or event data store of that name or ARN in the snapshot`,
    );
  if (!r.selectors) {
    io.out(`${r.name}: its event selectors are not known in this snapshot\n`);
    return EXIT.runtime;
  }
  const selectors = r.selectors as AdvancedEventSelector[];
  const hits = matchingSelectors(selectors, event);
  const c = palette(io.color);
  const nameOf = (i: number) => `#${i}${selectors[i]?.Name ? ` "${selectors[i]?.Name}"` : ''}`;
  if (hits.length > 0) {
    io.out(`${c.green('LOGGED')} by ${r.name}: matches selector ${hits.map(nameOf).join(', ')}\n`);
    if (r.active === false)
      io.out(c.yellow(`but ${r.name} is not logging right now, so nothing is delivered\n`));
    return EXIT.ok;
  }
  io.out(`${c.red('NOT LOGGED')} by ${r.name}:\n`);
  if (selectors.length === 0) io.out('  it has no selectors, so it logs nothing\n');
  compileSelectors(selectors).forEach((s, i) => {
    const failing = s.constraints.find((x) => !constraintMatches(x, event[x.field]));
    const value = failing ? event[failing.field] : undefined;
    const fs = failing ? JSON.stringify(selectors[i]?.FieldSelectors[s.constraints.indexOf(failing)]) : '';
    io.out(
      `  selector ${nameOf(i)}: ${failing?.field} is ${value === undefined ? 'absent' : JSON.stringify(value)}, which does not match ${fs}\n`,
    );
  });
  return EXIT.findings;
}

function demo(io: Io): number {
  const c = palette(io.color);
  const snapshotFile = join(ROOT, 'examples', 'demo-account', 'snapshot.json');
  const snapshot = readSnapshot(snapshotFile);
  const { policies } = loadPolicies([
    join(ROOT, 'policies', 'cis-aws-foundations.yaml'),
    join(ROOT, 'policies', 'examples'),
  ]);
  const result = evaluate(snapshot, policies);
  io.out(
    `${c.bold('Trailwarden demo')}: account ${snapshot.account}, ${snapshot.region}: ${snapshot.trails.length} trails, ${snapshot.eventDataStores.length} event data store, ${policies.length} policies (CIS pack + examples)\n`,
  );
  io.out(
    c.dim(
      'Every failure below is decided exactly over the selectors and comes with an event that proves it.\n\n',
    ),
  );
  io.out(`${c.bold('Findings')}\n`);
  io.out(findingsTable(result, io.color));
  io.out(
    `\n${c.bold('Plan')} ${c.dim('(policies with action: remediate; never shrinks what a trail logs)')}\n`,
  );
  io.out(planTable(result.plan, io.color));
  // Prove the plan: apply it to a copy of the snapshot and evaluate again.
  const after = evaluate(simulatePlan(snapshot, result.plan), policies);
  const remediable = new Set(policies.filter((p) => p.action === 'remediate').map((p) => p.id));
  const left = after.findings.filter((f) => f.status === 'FAIL' && remediable.has(f.policyId)).length;
  io.out(
    `\n${c.bold('After the plan')}: ${after.summary.fail} failures remain (from ${result.summary.fail}); ${left === 0 ? c.green('every remediate policy passes') : c.red(`${left} remediate findings still fail`)}; the rest are report-only or need a person (see the reasons above).\n`,
  );
  io.out(
    c.dim(
      `\nRun it yourself: trailwarden check --snapshot ${snapshotFile.replace(`${process.cwd()}/`, '')}\n`,
    ),
  );
  return EXIT.ok;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests and the bin share it. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.input;
    if (error instanceof InputError) {
      io.err(`error: ${error.message}\n`);
      return EXIT.input;
    }
    if (error instanceof PolicyLoadError) {
      io.err(problemsText(error.problems, io.color));
      return EXIT.input;
    }
    io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.runtime;
  }
}

import { relative } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { applyAndVerify } from '../aws/apply.js';
import { AwsClients, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../aws/clients.js';
import { AwsCallError, EndpointError } from '../aws/errors.js';
import {
  combineEvaluations,
  dedupeById,
  type Evaluation,
  evaluate,
  evaluateAll,
  evaluateRegions,
  inventoryOf,
  type KnownOrganization,
  type LiveFinding,
  resourceViews,
  type Snapshot,
  simulatePlan,
  summarize,
  unresolvedUnitFindings,
} from '../engine/index.js';
import { parseArn } from '../engine/resources.js';
import type { TemplateSnapshot } from '../iac/index.js';
import { toAsff } from '../notify/asff.js';
import { type Policy, PolicyLoadError } from '../policy/loader.js';
import {
  REPORT_FORMATS,
  type Report,
  type ReportFinding,
  type ReportFormat,
  renderReport,
} from '../report/index.js';
import {
  type AdvancedEventSelector,
  type CloudTrailEvent,
  compileSelectors,
  EVENT_FIELDS,
  hasArnShape,
  matchingSelectors,
  partitionOf,
  resourceTypeInfo,
  validate,
} from '../selectors/index.js';
import { constraintMatches } from '../selectors/match.js';
import { closest } from '../selectors/suggest.js';
import {
  type AccountOptions,
  addAccountOptions,
  type LiveRead,
  readLive,
  selectsByUnit,
} from './accounts.js';
import { emulatedDemo } from './emulated-demo.js';
import { exceptionLines } from './exceptions.js';
import {
  checkWritable,
  DEFAULT_POLICY_PATHS,
  formatBytes,
  InputError,
  LIMITS,
  loadPolicies,
  printable,
  readSnapshot,
  writeOutput,
} from './io.js';
import { checkEndpoint, checkProfile, checkRegion, checkSeconds } from './options.js';
import { PACKAGE_VERSION, packagePath } from './package.js';
import {
  accountsOf,
  type Format,
  findingsMarkdown,
  findingsTable,
  palette,
  planMarkdown,
  planTable,
  problemsText,
  stepsText,
  toJson,
} from './render.js';
import { writeHtmlReport } from './report.js';
import { onTemplate, readTemplateFiles, templatePlanText } from './templates.js';

export const EXIT = { ok: 0, findings: 1, input: 2, runtime: 3 } as const;

const isReportFormat = (f: string): f is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(f);

const TOOL_VERSION = PACKAGE_VERSION;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  color: boolean;
  /** Whether a person is at the terminal (progress line, confirmation prompt). */
  interactive: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Asks a yes/no question on the terminal. */
  confirm?: (question: string) => Promise<boolean>;
}

interface CommonOptions extends AccountOptions {
  snapshot?: string;
  template?: string[];
  policies?: string[];
  format: Format | 'asff' | ReportFormat;
  region?: string[];
  profile?: string;
  endpointUrl?: string;
  concurrency?: string;
  connectTimeout?: string;
  requestTimeout?: string;
}

const isLive = (opts: CommonOptions) => !opts.snapshot && !opts.template;

function liveClients(opts: CommonOptions, io: Io): { clients: AwsClients; regions: string[] } {
  const fromEnv = io.env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
  const regions = opts.region
    ? opts.region.map((r) => checkRegion(r, '--region'))
    : [io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION]
        .filter((r): r is string => r !== undefined)
        .map((r) => checkRegion(r, fromEnv));
  if (regions.length === 0)
    throw new InputError(
      'no Region: pass --region (repeatable) or set AWS_REGION, or read a file with --snapshot FILE',
    );
  if (opts.endpointUrl !== undefined) checkEndpoint(opts.endpointUrl, '--endpoint-url');
  else if (io.env.AWS_ENDPOINT_URL) checkEndpoint(io.env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL');
  if (opts.profile !== undefined) checkProfile(opts.profile, io.env);
  // Profile and endpoint also come from AWS_PROFILE and AWS_ENDPOINT_URL, which the SDK reads itself.
  const clients = new AwsClients({
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
    connectTimeoutMs: checkSeconds(
      opts.connectTimeout ?? String(DEFAULT_CONNECT_TIMEOUT_MS / 1000),
      '--connect-timeout',
    ),
    requestTimeoutMs: checkSeconds(
      opts.requestTimeout ?? String(DEFAULT_REQUEST_TIMEOUT_MS / 1000),
      '--request-timeout',
    ),
  });
  return { clients, regions };
}

/** Reads live AWS (one account, or several with --accounts/--org); `organization`: read its structure too. */
async function loadLive(
  opts: CommonOptions,
  io: Io,
  clients: AwsClients,
  regions: string[],
  organization = false,
): Promise<LiveRead> {
  const concurrency = opts.concurrency ? Number(opts.concurrency) : 5;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InputError(`--concurrency ${opts.concurrency}: expected a whole number of at least 1`);
  const progress = io.interactive && opts.format !== 'json';
  const read = await readLive(clients, regions, opts, {
    concurrency,
    organization,
    ...(progress ? { onProgress: (text: string) => io.err(`\r${text}   `) } : {}),
  });
  if (progress) io.err('\r\u001b[2K');
  return read;
}

async function input(
  opts: CommonOptions,
  io: Io,
  organization = false,
): Promise<{
  snapshots: Snapshot[];
  clients?: AwsClients;
  organization?: KnownOrganization;
  template?: TemplateSnapshot;
}> {
  if (opts.template) {
    if (opts.snapshot || opts.profile || opts.endpointUrl || opts.org || opts.accounts)
      throw new InputError('use --template FILE on its own, without --snapshot or live AWS options');
    // A template names no Region: --region says where it would be deployed (default us-east-1).
    const region = opts.region?.[0] !== undefined ? checkRegion(opts.region[0], '--region') : 'us-east-1';
    const template = readTemplateFiles(opts.template, region);
    return { snapshots: [template.snapshot], template };
  }
  if (!isLive(opts)) {
    if (opts.region || opts.profile || opts.endpointUrl || opts.org || opts.accounts)
      throw new InputError(
        'use either --snapshot FILE or live AWS options (--region, --profile, --endpoint-url, --org, --accounts), not both',
      );
    return { snapshots: readSnapshot(opts.snapshot as string) };
  }
  const { clients, regions } = liveClients(opts, io);
  return { ...(await loadLive(opts, io, clients, regions, organization)), clients };
}

export interface RunResult extends Evaluation {
  readonly account: string;
  readonly policies: readonly Policy[];
  readonly findings: ReportFinding[];
  readonly template?: TemplateSnapshot;
  readonly generatedAt: Date;
  readonly snapshots: readonly Snapshot[];
}

export async function run(opts: CommonOptions, io: Io): Promise<RunResult> {
  const { policies } = loadPolicies(opts.policies);
  const { snapshots, clients, organization, template } = await input(opts, io, selectsByUnit(policies));
  clients?.destroy();
  // The CLI owns the clock: it decides which exceptions are still in force.
  const generatedAt = new Date();
  const evaluation = evaluateAll(snapshots, policies, generatedAt, organization);
  const decided = template ? onTemplate(evaluation, template, policies) : evaluation;
  const account = snapshots[0]?.account ?? '000000000000';
  return { ...decided, account, policies, generatedAt, snapshots, ...(template ? { template } : {}) };
}

function reportOf(result: RunResult): Report {
  return { ...result, tool: { name: 'Trailwarden', version: TOOL_VERSION } };
}

/** Findings in the AWS Security Finding Format, ready for BatchImportFindings. */
function asffOutput(result: Evaluation & { account: string }): string {
  const now = new Date();
  return `${JSON.stringify({ Findings: result.findings.map((f) => toAsff(f, f.account ?? result.account, f.region, parseArn(f.resource)?.partition ?? 'aws', now)) }, null, 2)}\n`;
}

/** 1 on any FAIL, 3 on errors without failures, 0 when compliant. */
function exitFor(result: { summary: { fail: number; error: number } }): number {
  if (result.summary.fail > 0) return EXIT.findings;
  if (result.summary.error > 0) return EXIT.runtime;
  return EXIT.ok;
}

/** plan: 1 when there are steps to apply, else 3 when some checks could not be decided, else 0. */
function exitForPlan(result: Evaluation): number {
  if (result.plan.length > 0) return EXIT.findings;
  return result.summary.error > 0 ? EXIT.runtime : EXIT.ok;
}

const EXIT_HELP =
  'Exit codes: 0 compliant, 1 findings, 2 bad input (one message), 3 AWS or runtime error, or checks that could not be decided.';

function addLive(cmd: Command): Command {
  return cmd
    .option('--region <region...>', 'Regions to read (repeatable; default AWS_REGION)')
    .option('--profile <name>', 'AWS profile (default: the standard credential chain, AWS_PROFILE)')
    .option('--endpoint-url <url>', 'AWS endpoint, e.g. an emulator (default AWS_ENDPOINT_URL)')
    .option(
      '--concurrency <n>',
      'resources read at once (a trail reads its four parts in parallel); with several accounts, also account-Regions at once',
      '5',
    )
    .option(
      '--connect-timeout <seconds>',
      `seconds to wait for a connection to an endpoint (default ${DEFAULT_CONNECT_TIMEOUT_MS / 1000})`,
    )
    .option(
      '--request-timeout <seconds>',
      `seconds to wait for the answer to each request (default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000}); an endpoint that never answers fails the call after 3 attempts instead of hanging`,
    );
}

/** Live options and the options that read several accounts. */
const addLiveAccounts = (cmd: Command): Command => addAccountOptions(addLive(cmd));

/**
 * `--policies`, by default the CIS and Security Hub packs shipped in the package, wherever it is run
 * from. The examples (a fictional payroll bucket, a cost guard…) are read only when named: they
 * would report on, and repair, a real account's resources as if they mattered.
 */
const builtInPolicies = () =>
  new Option('--policies <path...>', 'policy files or folders (policies/examples only when named)').default(
    [...DEFAULT_POLICY_PATHS],
    'the CIS and Security Hub packs',
  );

/** What `check` can print: every other command refers a finding format back to it. */
const CHECK_FORMATS: readonly string[] = ['table', 'json', 'markdown', 'asff', ...REPORT_FORMATS];

function formatOption(formats: readonly string[]): Option {
  return new Option('--format <format>', `output format: ${formats.join(', ')}`)
    .default('table')
    .argParser((value: string) => {
      if (formats.includes(value)) return value;
      if (CHECK_FORMATS.includes(value))
        throw new InvalidArgumentError(
          `--format ${value} is for check (findings); use ${formats.join(', ')}`,
        );
      throw new InvalidArgumentError(`expected ${formats.join(', ')}`);
    });
}

/**
 * The options of the commands that evaluate: input (a snapshot, templates or live AWS), policies,
 * and `formats` (none: the command writes one format, and `--format` is refused with a reason).
 * `liveOnly`: the command changes live AWS; --snapshot and --template are kept hidden so that
 * passing them says why instead of "unknown option".
 */
function addCommon(cmd: Command, formats: readonly string[] | undefined, liveOnly = false): Command {
  const snapshot = new Option('--snapshot <file>', 'read a snapshot file instead of live AWS');
  const template = new Option(
    '--template <file...>',
    'check CloudFormation templates (YAML/JSON) or Terraform plans (terraform show -json) before deploy',
  );
  return addLiveAccounts(
    cmd
      .addOption(liveOnly ? snapshot.hideHelp() : snapshot)
      .addOption(liveOnly ? template.hideHelp() : template)
      .addOption(builtInPolicies())
      .addOption(
        formats ? formatOption(formats) : new Option('--format <format>').hideHelp().default('table'),
      ),
  );
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('trailwarden')
    .description(
      'Keeps AWS CloudTrail logging compliant: exact selector verdicts, example events, safe repairs.',
    )
    .version(PACKAGE_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  addCommon(program.command('check'), CHECK_FORMATS)
    .description('evaluate a snapshot, templates or live AWS against policies; exit 1 on any failure')
    .addHelpText(
      'after',
      `\n${EXIT_HELP}\n\nExamples:\n  trailwarden check --snapshot examples/demo-account/snapshot.json\n  trailwarden check --region us-east-1 --region eu-west-1 --profile audit --format json\n  trailwarden check --snapshot snap.json --policies policies/cis-aws-foundations.yaml --format markdown\n  trailwarden check --template template.yaml --format sarif`,
    )
    .option('--all', 'also list passing checks (table format)')
    .action(async (opts: CommonOptions & { all?: boolean }) => {
      const result = await run(opts, io);
      if (opts.format === 'json') io.out(toJson(result, { findings: true, plan: true }));
      else if (opts.format === 'asff') io.out(asffOutput(result));
      else if (isReportFormat(opts.format)) io.out(renderReport(opts.format, reportOf(result)));
      else if (opts.format === 'markdown') io.out(findingsMarkdown(result));
      else io.out(findingsTable(result, io.color, opts.all));
      setExit(exitFor(result));
    });

  addCommon(program.command('plan'), ['table', 'json', 'markdown'])
    .description('the exact Put* requests that would repair the failures of remediate policies')
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing to do, 1 the plan has steps, 2 bad input, 3 AWS or runtime error, or checks that could not be decided.\n\nExamples:\n  trailwarden plan --snapshot examples/demo-account/snapshot.json --policies policies/examples',
    )
    .action(async (opts: CommonOptions) => {
      const result = await run(opts, io);
      if (opts.format === 'json') io.out(toJson(result, { findings: false, plan: true }));
      else if (opts.format === 'markdown') io.out(planMarkdown(result.plan));
      else if (result.template) io.out(templatePlanText(result, result.template, io.color));
      else io.out(planTable(result.plan, io.color));
      setExit(exitForPlan(result));
    });

  addCommon(program.command('report'), undefined)
    .description('write the HTML coverage report: matrix, findings by policy, plan; one offline file')
    .option('--out <file>', 'where to write the report', 'report.html')
    .addHelpText(
      'after',
      '\nExamples:\n  trailwarden report --snapshot examples/demo-account/snapshot.json --out report.html\n  trailwarden report --template template.yaml --out report.html\n  trailwarden report --region us-east-1 --out report.html',
    )
    .action(async (opts: CommonOptions & { out: string }) => {
      if (opts.format !== 'table')
        throw new InputError(
          `--format ${opts.format}: report writes HTML; use check --format for other formats`,
        );
      const result = await run(opts, io);
      const shown = (p: string) => relative(process.cwd(), p) || p;
      const source = opts.template
        ? `templates ${opts.template.map(shown).join(', ')}`
        : opts.snapshot
          ? `snapshot ${shown(opts.snapshot)}`
          : 'live AWS';
      io.out(writeHtmlReport(opts.out, result, reportOf(result), source));
      setExit(exitFor(result));
    });

  program
    .command('validate')
    .description('check policy files (and, with --snapshot, lint the selectors of every resource)')
    .addOption(builtInPolicies())
    .option('--snapshot <file>', 'also lint the selectors found in this snapshot')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid (warnings allowed), 1 the snapshot has selector errors (malformed, or rejected by AWS), 2 a policy file is invalid or bad input.\n\nExamples:\n  trailwarden validate --policies policies/\n  trailwarden validate --snapshot snap.json',
    )
    .action((opts: { policies?: string[]; snapshot?: string }) => {
      const { policies, warnings } = loadPolicies(opts.policies);
      const c = palette(io.color);
      if (warnings.length > 0) io.out(problemsText(warnings, io.color));
      let lint = 0;
      let errors = 0;
      const snapshots = opts.snapshot ? readSnapshot(opts.snapshot) : undefined;
      const exceptionNotes = exceptionLines(policies, new Date(), snapshots);
      for (const line of exceptionNotes) io.out(c.yellow(`${line}\n`));
      if (snapshots) {
        for (const r of snapshots.flatMap((s) => resourceViews(s))) {
          if (r.selectorProblem) {
            lint++;
            errors++;
            io.out(`${r.name}: error: ${r.selectorProblem}\n`);
          }
          if (!r.selectorConfig) continue;
          for (const p of validate(r.selectorConfig, r.kind)) {
            lint++;
            if (p.severity === 'error') errors++;
            io.out(`${r.name}: ${p.severity}: ${p.path}: ${p.message}\n`);
          }
        }
      }
      const noted = warnings.length + exceptionNotes.length;
      const summary = `${policies.length} policies valid${noted ? `, ${noted} warnings` : ''}${opts.snapshot ? `, ${lint} selector findings in the snapshot (${errors} errors)` : ''}\n`;
      io.out(errors > 0 ? c.red(summary) : c.green(summary));
      setExit(errors > 0 ? EXIT.findings : EXIT.ok);
    });

  addCommon(program.command('apply'), ['table', 'json'], true)
    .description('apply the plan to live AWS, then read every changed resource back and verify it')
    .option('--yes', 'do not ask for confirmation (for automation)')
    .option('--dry-run', 'show the plan only (the same as plan)')
    .addHelpText(
      'after',
      `\n${EXIT_HELP}\n\nExamples:\n  trailwarden apply --region us-east-1 --policies policies/examples\n  trailwarden apply --region us-east-1 --yes --format json\n  trailwarden apply --org --region us-east-1 --yes`,
    )
    .action(async (opts: CommonOptions & { yes?: boolean; dryRun?: boolean }) => {
      if (!isLive(opts))
        throw new InputError('apply changes live AWS: drop --snapshot/--template and pass --region');
      const { policies } = loadPolicies(opts.policies);
      // Refuse before reading anything when nobody can confirm.
      if (!opts.yes && !opts.dryRun && (!io.interactive || !io.confirm)) {
        throw new InputError(
          'apply needs confirmation: run it on a terminal, or pass --yes (or --dry-run to only see the plan)',
        );
      }
      const { clients, regions } = liveClients(opts, io);
      try {
        const { snapshots, organization } = await loadLive(
          opts,
          io,
          clients,
          regions,
          selectsByUnit(policies),
        );
        // Each Region knowing the others (a named trail of another Region is not missing).
        const now = new Date();
        const inventory = inventoryOf(snapshots);
        const evaluations = evaluateRegions(snapshots, policies, now);
        const unresolved = unresolvedUnitFindings(policies, snapshots, organization);
        const plan = evaluations.flatMap((e) => e.plan);
        if (opts.format !== 'json') io.out(planTable(plan, io.color));
        if (opts.dryRun || plan.length === 0) {
          const each = combineEvaluations(evaluations);
          const all = [...each.findings, ...unresolved];
          const combined = { ...each, findings: all, summary: summarize(all) };
          if (opts.format === 'json') io.out(toJson(combined, { findings: false, plan: true }));
          setExit(exitFor(combined));
          return;
        }
        // Without --yes, the check before loading guarantees a terminal that can confirm.
        if (!opts.yes && io.confirm) {
          if (!(await io.confirm(`Apply these ${plan.length} changes? [y/N] `))) {
            io.out('Nothing applied.\n');
            setExit(EXIT.ok);
            return;
          }
        }
        const outcomes = [];
        for (const [i, snapshot] of snapshots.entries())
          outcomes.push(
            // Each account is written through the clients it was read with (its member role).
            await applyAndVerify(
              clients.forAccount(snapshot.account),
              snapshot,
              policies,
              evaluations[i] as Evaluation,
              { evaluation: { inventory }, now },
            ),
          );
        const findings = dedupeVerified([...outcomes.flatMap((o) => o.findings), ...unresolved]);
        const steps = outcomes.flatMap((o) => o.steps);
        const summary = {
          remediated: findings.filter((f) => f.status === 'REMEDIATED').length,
          fail: findings.filter((f) => f.status === 'FAIL').length,
          error: findings.filter((f) => f.status === 'ERROR').length,
          pass: findings.filter((f) => f.status === 'PASS').length,
        };
        if (opts.format === 'json') {
          io.out(
            `${JSON.stringify({ findings, steps: steps.map((s) => ({ ...s.step, status: s.status, ...(s.error ? { error: s.error.message } : {}) })), summary }, null, 2)}\n`,
          );
        } else {
          const c = palette(io.color);
          io.out(stepsText(steps, io.color));
          const several = accountsOf(findings).length > 0;
          for (const f of findings.filter((x) => x.status === 'REMEDIATED' || x.status === 'ERROR')) {
            io.out(
              `${f.status === 'REMEDIATED' ? c.green('REMEDIATED') : c.red('ERROR     ')} ${f.policyId}  ${several ? `${f.account}  ` : ''}${f.resourceName}  [${f.check}]  ${f.message}\n`,
            );
          }
          io.out(
            `\n${summary.remediated} remediated and verified, ${summary.error} errors, ${summary.fail} still failing (report-only or not repairable)\n`,
          );
        }
        setExit(summary.error > 0 ? EXIT.runtime : summary.fail > 0 ? EXIT.findings : EXIT.ok);
      } finally {
        clients.destroy();
      }
    });

  addLiveAccounts(program.command('snapshot'))
    .description(
      'read live AWS into a snapshot file (one Region of one account: an object; otherwise a list, one per account and Region)',
    )
    .option('--out <file>', 'write here instead of standard output')
    .addHelpText(
      'after',
      '\nExamples:\n  trailwarden snapshot --region us-east-1 --out snap.json\n  trailwarden check --snapshot snap.json',
    )
    .action(async (opts: CommonOptions & { out?: string }) => {
      const { clients, regions } = liveClients(opts, io);
      // Refuse a place that cannot take the file before reading the account, not after.
      if (opts.out) checkWritable(opts.out);
      try {
        // Several accounts: each snapshot records its place in the organization, for select.ous.
        const multi = Boolean(opts.org || opts.accounts);
        const { snapshots } = await loadLive({ ...opts, format: 'json' }, io, clients, regions, multi);
        const text = `${JSON.stringify(snapshots.length === 1 ? snapshots[0] : snapshots, null, 2)}\n`;
        if (opts.out) writeOutput(opts.out, text);
        else io.out(text);
        setExit(EXIT.ok);
      } finally {
        clients.destroy();
      }
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
      `\nFields: ${EVENT_FIELDS.join(', ')}.\nExit codes: 0 LOGGED, 1 NOT LOGGED, 2 bad input, 3 the resource's selectors are not known.\n\nExamples:\n  trailwarden explain --snapshot examples/demo-account/snapshot.json --resource data-events \\\n    --event '{"eventCategory":"Data","readOnly":"false","resources.type":"AWS::S3::Object","resources.ARN":"arn:aws:s3:::acme-payroll/q3.csv"}'`,
    )
    .action((opts: { snapshot: string; resource: string; event: string }) => {
      setExit(explain(opts, io));
    });

  program
    .command('demo')
    .description(
      'check, plan and apply on a drifted account emulated by moto (or, without moto, the snapshot demo)',
    )
    .option('--snapshot-only', 'skip the emulator: check and plan examples/demo-account/snapshot.json')
    .action(async (opts: { snapshotOnly?: boolean }) => {
      const { policies } = loadPolicies([
        packagePath('policies', 'cis-aws-foundations.yaml'),
        packagePath('policies', 'examples'),
      ]);
      if (!opts.snapshotOnly && (await emulatedDemo(io.out, io.color, policies))) {
        setExit(EXIT.ok);
        return;
      }
      setExit(demo(io));
    });

  return program;
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
  const snapshotFile = packagePath('examples', 'demo-account', 'snapshot.json');
  const [snapshot] = readSnapshot(snapshotFile) as [Snapshot];
  const { policies } = loadPolicies([
    packagePath('policies', 'cis-aws-foundations.yaml'),
    packagePath('policies', 'examples'),
  ]);
  const now = new Date();
  const result = evaluate(snapshot, policies, now);
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
  const after = evaluate(simulatePlan(snapshot, result.plan), policies, now);
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
    if (error instanceof EndpointError) {
      const endpoint = error.endpoint ?? io.env.AWS_ENDPOINT_URL ?? 'the AWS endpoint';
      io.err(
        `error: AWS endpoint ${endpoint}: ${error.operation}: ${error.detail} (see --connect-timeout, --request-timeout, --endpoint-url)\n`,
      );
      return EXIT.runtime;
    }
    if (error instanceof AwsCallError) {
      io.err(`error: AWS: ${error.message}\n`);
      return EXIT.runtime;
    }
    const name = (error as { name?: string })?.name;
    if (name === 'CredentialsProviderError' || name === 'ProviderError') {
      const profile = argv.includes('--profile') ? argv[argv.indexOf('--profile') + 1] : io.env.AWS_PROFILE;
      io.err(
        `error: AWS credentials${profile ? ` of profile ${profile}` : ''}: ${printable((error as Error).message, 400)}\n`,
      );
      return EXIT.runtime;
    }
    // Never a stack trace for the user; TRAILWARDEN_DEBUG=1 shows it when reporting a bug.
    const message = error instanceof Error ? error.message : String(error);
    io.err(
      `error: ${printable(message, 400)}${io.env.TRAILWARDEN_DEBUG && error instanceof Error ? `\n${error.stack}` : ' (this is unexpected: rerun with TRAILWARDEN_DEBUG=1 and report the stack trace)'}\n`,
    );
    return EXIT.runtime;
  }
}

/** A trail seen from several Regions is reported once, preferring the view that was repaired. */
function dedupeVerified(findings: readonly LiveFinding[]): LiveFinding[] {
  return dedupeById(findings, (f) =>
    f.status === 'REMEDIATED' ? 3 : f.status === 'ERROR' ? 2 : f.remediation?.planned ? 1 : 0,
  );
}

/**
 * What every command shares: the terminal (`Io`), the input a run reads (a snapshot, templates or
 * live AWS) and the evaluation of it with the run's clock.
 */
import { AwsClients, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../aws/clients.js';
import { readsFor } from '../aws/reads.js';
import { type Evaluation, evaluateAll, type KnownOrganization, type Snapshot } from '../engine/index.js';
import type { TemplateSnapshot } from '../iac/index.js';
import type { Policy } from '../policy/loader.js';
import type { CloudTrailRead } from '../policy/types.js';
import type { Report, ReportFinding, ReportFormat } from '../report/index.js';
import { type AccountOptions, type LiveRead, readLive, selectsByUnit } from './accounts.js';
import { InputError, loadPolicies, readSnapshot } from './io.js';
import { checkEndpoint, checkProfile, checkRegion, checkSeconds } from './options.js';
import { PACKAGE_VERSION } from './package.js';
import type { Format } from './render.js';
import { onTemplate, readTemplateFiles } from './templates.js';

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

/** What a command module receives: the terminal, and where to put its exit code. */
export interface CommandContext {
  readonly io: Io;
  readonly setExit: (code: number) => void;
}

export interface CommonOptions extends AccountOptions {
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

export const isLive = (opts: CommonOptions) => !opts.snapshot && !opts.template;

export function liveClients(opts: CommonOptions, io: Io): { clients: AwsClients; regions: string[] } {
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
export async function loadLive(
  opts: CommonOptions,
  io: Io,
  clients: AwsClients,
  regions: string[],
  organization = false,
  reads?: ReadonlySet<CloudTrailRead>,
): Promise<LiveRead> {
  const concurrency = opts.concurrency ? Number(opts.concurrency) : 5;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InputError(`--concurrency ${opts.concurrency}: expected a whole number of at least 1`);
  const progress = io.interactive && opts.format !== 'json';
  const read = await readLive(clients, regions, opts, {
    concurrency,
    organization,
    ...(reads ? { reads } : {}),
    ...(progress ? { onProgress: (text: string) => io.err(`\r${text}   `) } : {}),
  });
  if (progress) io.err('\r\u001b[2K');
  return read;
}

async function input(
  opts: CommonOptions,
  io: Io,
  organization: boolean,
  reads: ReadonlySet<CloudTrailRead> | undefined,
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
  return { ...(await loadLive(opts, io, clients, regions, organization, reads)), clients };
}

interface RunResult extends Evaluation {
  readonly account: string;
  readonly policies: readonly Policy[];
  readonly findings: ReportFinding[];
  readonly template?: TemplateSnapshot;
  readonly generatedAt: Date;
  readonly snapshots: readonly Snapshot[];
}

/**
 * Reads the input and evaluates it. Live, only what the policies need is read (`readsFor`), unless
 * `readEverything` (the HTML report shows every part of every resource).
 */
export async function run(opts: CommonOptions, io: Io, readEverything = false): Promise<RunResult> {
  const { policies } = loadPolicies(opts.policies);
  const needed = readsFor(policies);
  const { snapshots, clients, organization, template } = await input(
    opts,
    io,
    selectsByUnit(policies),
    readEverything ? undefined : needed,
  );
  clients?.destroy();
  if (opts.snapshot) refuseUnreadParts(opts.snapshot, snapshots, needed);
  // The CLI owns the clock: it decides which exceptions are still in force.
  const generatedAt = new Date();
  const evaluation = evaluateAll(snapshots, policies, generatedAt, organization);
  const decided = template ? onTemplate(evaluation, template, policies) : evaluation;
  const account = snapshots[0]?.account ?? '000000000000';
  return { ...decided, account, policies, generatedAt, snapshots, ...(template ? { template } : {}) };
}

export function reportOf(result: RunResult): Report {
  return { ...result, tool: { name: 'Trailwarden', version: PACKAGE_VERSION } };
}

/**
 * A snapshot read for other policies may lack parts these policies need (its `notRead`): judging
 * it would turn "not read" into ERROR findings that say "not known", so it is refused instead.
 */
function refuseUnreadParts(
  file: string,
  snapshots: readonly Snapshot[],
  needed: ReadonlySet<CloudTrailRead>,
) {
  for (const s of snapshots) {
    const missing = (s.notRead ?? []).filter((r) => needed.has(r as CloudTrailRead));
    if (missing.length > 0)
      throw new InputError(
        `${file}: account ${s.account}, ${s.region} was read without ${missing.join(', ')}, which these policies need; read it again with these policies (trailwarden snapshot reads everything)`,
      );
  }
}

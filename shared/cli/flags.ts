/** The options commands share, built once so that every command spells and checks them alike. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../aws/clients.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { addAccountOptions } from './accounts.js';
import { DEFAULT_POLICY_PATHS } from './io.js';

export const isReportFormat = (f: string): f is ReportFormat =>
  (REPORT_FORMATS as readonly string[]).includes(f);

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
export const addLiveAccounts = (cmd: Command): Command => addAccountOptions(addLive(cmd));

/**
 * `--policies`, by default the CIS and Security Hub packs shipped in the package, wherever it is run
 * from. The examples (a fictional payroll bucket, a cost guard…) are read only when named: they
 * would report on, and repair, a real account's resources as if they mattered.
 */
export const builtInPolicies = () =>
  new Option('--policies <path...>', 'policy files or folders (policies/examples only when named)').default(
    [...DEFAULT_POLICY_PATHS],
    'the CIS and Security Hub packs',
  );

/** What `check` can print: every other command refers a finding format back to it. */
export const CHECK_FORMATS: readonly string[] = ['table', 'json', 'markdown', 'asff', ...REPORT_FORMATS];

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
export function addCommon(cmd: Command, formats: readonly string[] | undefined, liveOnly = false): Command {
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

/** `trailwarden check`: evaluate a snapshot, templates or live AWS against policies. */
import type { Command } from 'commander';
import type { Evaluation } from '../../engine/index.js';
import { parseArn } from '../../engine/resources.js';
import { toAsff } from '../../notify/asff.js';
import { renderReport } from '../../report/index.js';
import { type CommandContext, type CommonOptions, reportOf, run } from '../context.js';
import { EXIT_HELP, exitFor } from '../exit.js';
import { addCommon, CHECK_FORMATS, isReportFormat } from '../flags.js';
import { findingsMarkdown, findingsTable, toJson } from '../render.js';

/** Findings in the AWS Security Finding Format, ready for BatchImportFindings. */
function asffOutput(result: Evaluation & { account: string }): string {
  const now = new Date();
  return `${JSON.stringify({ Findings: result.findings.map((f) => toAsff(f, f.account ?? result.account, f.region, parseArn(f.resource)?.partition ?? 'aws', now)) }, null, 2)}\n`;
}

export function checkCommand(program: Command, { io, setExit }: CommandContext): void {
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
      setExit(exitFor(result.summary));
    });
}

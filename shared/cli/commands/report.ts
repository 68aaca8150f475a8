/** `trailwarden report`: the self-contained HTML coverage report. */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { type CommandContext, type CommonOptions, reportOf, run } from '../context.js';
import { exitFor } from '../exit.js';
import { addCommon } from '../flags.js';
import { InputError } from '../io.js';
import { writeHtmlReport } from '../report.js';

export function reportCommand(program: Command, { io, setExit }: CommandContext): void {
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
      // The coverage matrix shows every part of every resource, so everything is read.
      const result = await run(opts, io, true);
      const shown = (p: string) => relative(process.cwd(), p) || p;
      const source = opts.template
        ? `templates ${opts.template.map(shown).join(', ')}`
        : opts.snapshot
          ? `snapshot ${shown(opts.snapshot)}`
          : 'live AWS';
      io.out(writeHtmlReport(opts.out, result, reportOf(result), source));
      setExit(exitFor(result.summary));
    });
}

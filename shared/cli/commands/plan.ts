/** `trailwarden plan`: the exact Put* requests that would repair the failures of remediate policies. */
import type { Command } from 'commander';
import { type CommandContext, type CommonOptions, run } from '../context.js';
import { exitFor } from '../exit.js';
import { addCommon } from '../flags.js';
import { planMarkdown, planTable, toJson } from '../render.js';
import { templatePlanText } from '../templates.js';

export function planCommand(program: Command, { io, setExit }: CommandContext): void {
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
      // What is outstanding for plan is a step to apply; report-only failures are check's business.
      setExit(exitFor({ fail: result.plan.length, error: result.summary.error }));
    });
}

/** `trailwarden validate`: policy files, and the selectors of a snapshot's resources. */
import type { Command } from 'commander';
import { resourceViews } from '../../engine/index.js';
import { validate } from '../../selectors/index.js';
import type { CommandContext } from '../context.js';
import { exceptionLines } from '../exceptions.js';
import { exitFor } from '../exit.js';
import { builtInPolicies } from '../flags.js';
import { loadPolicies, readSnapshot } from '../io.js';
import { palette, problemsText } from '../render.js';

export function validateCommand(program: Command, { io, setExit }: CommandContext): void {
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
      // A selector AWS would reject is outstanding work for the user, as a FAIL is.
      setExit(exitFor({ fail: errors, error: 0 }));
    });
}

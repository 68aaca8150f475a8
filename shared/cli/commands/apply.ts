/** `trailwarden apply`: apply the plan to live AWS, then read every changed resource back and verify it. */
import type { Command } from 'commander';
import { applyAndVerify } from '../../aws/apply.js';
import { rereadGuard } from '../../aws/guard.js';
import { readsFor } from '../../aws/reads.js';
import {
  combineEvaluations,
  dedupeById,
  type Evaluation,
  evaluateRegions,
  inventoryOf,
  type LiveFinding,
  summarize,
  unresolvedUnitFindings,
} from '../../engine/index.js';
import { selectsByUnit } from '../accounts.js';
import { type CommandContext, type CommonOptions, isLive, liveClients, loadLive } from '../context.js';
import { EXIT, EXIT_HELP, exitFor } from '../exit.js';
import { addCommon } from '../flags.js';
import { InputError, loadPolicies } from '../io.js';
import { accountsOf, palette, planTable, stepsText, toJson } from '../render.js';

export function applyCommand(program: Command, { io, setExit }: CommandContext): void {
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
          readsFor(policies),
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
          setExit(exitFor(combined.summary));
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
              // Re-read before each write: a change made since the plan aborts that resource's steps.
              {
                evaluation: { inventory },
                now,
                guard: rereadGuard(clients.forAccount(snapshot.account), snapshot),
              },
            ),
          );
        const findings = dedupeVerified([...outcomes.flatMap((o) => o.findings), ...unresolved]);
        const steps = outcomes.flatMap((o) => o.steps);
        // The same counts, and the same exit rule, as every other command; plus what was repaired.
        const summary = {
          remediated: findings.filter((f) => f.status === 'REMEDIATED').length,
          ...summarize(findings),
        };
        if (opts.format === 'json') {
          io.out(
            `${JSON.stringify({ findings, steps: steps.map((s) => ({ ...s.step, status: s.status, ...(s.error ? { error: s.error.message } : {}), ...(s.reason !== undefined ? { reason: s.reason } : {}) })), summary }, null, 2)}\n`,
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
        setExit(exitFor(summary));
      } finally {
        clients.destroy();
      }
    });
}

/** A trail seen from several Regions is reported once, preferring the view that was repaired. */
function dedupeVerified(findings: readonly LiveFinding[]): LiveFinding[] {
  return dedupeById(findings, (f) =>
    f.status === 'REMEDIATED' ? 3 : f.status === 'ERROR' ? 2 : f.remediation?.planned ? 1 : 0,
  );
}

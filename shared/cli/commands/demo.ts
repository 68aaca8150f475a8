/** `trailwarden demo`: check, plan and apply on an emulated drifted account, or the snapshot demo. */
import type { Command } from 'commander';
import { evaluate, type Snapshot, simulatePlan } from '../../engine/index.js';
import type { CommandContext, Io } from '../context.js';
import { emulatedDemo } from '../emulated-demo.js';
import { EXIT } from '../exit.js';
import { loadPolicies, readSnapshot } from '../io.js';
import { packagePath } from '../package.js';
import { findingsTable, palette, planTable } from '../render.js';

export function demoCommand(program: Command, { io, setExit }: CommandContext): void {
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
}

function demo(io: Io): number {
  const c = palette(io.color);
  const snapshotFile = packagePath('examples', 'demo-account', 'snapshot.json');
  const [snapshot] = readSnapshot(snapshotFile) as [Snapshot];
  const { policies } = loadPolicies([
    packagePath('policies', 'cis-aws-foundations.yaml'),
    packagePath('policies', 'examples'),
  ]);
  // The run's clock decides which exceptions are still in force.
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

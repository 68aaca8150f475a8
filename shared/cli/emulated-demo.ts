import { applyAndVerify } from '../aws/apply.js';
import { AwsClients } from '../aws/clients.js';
import { callerAccount } from '../aws/identity.js';
import { loadRegions } from '../aws/loader.js';
import { DEMO_ACCOUNT } from '../emulator/demoAccount.js';
import { startMoto } from '../emulator/moto.js';
import { EMULATOR_CREDENTIALS, seedAccount } from '../emulator/seed.js';
import {
  combineEvaluations,
  type Evaluation,
  evaluateAll,
  evaluateRegions,
  inventoryOf,
} from '../engine/index.js';
import type { Policy } from '../policy/loader.js';
import { findingsTable, palette, planTable, stepsText } from './render.js';

const REGION = 'us-east-1';

/**
 * The demo on an emulated account: moto on a free loopback port, a drifted account seeded through
 * the SDK, then check → plan → apply (verified by reading back) → check. Returns false when moto is
 * not installed, so the caller can fall back to the snapshot demo.
 */
export async function emulatedDemo(
  out: (s: string) => void,
  color: boolean,
  policies: readonly Policy[],
): Promise<boolean> {
  const c = palette(color);
  let moto: Awaited<ReturnType<typeof startMoto>>;
  try {
    moto = await startMoto();
  } catch (error) {
    out(
      c.yellow(
        `The emulated demo needs moto (${(error as Error).message.split(':')[0]}); showing the snapshot demo instead.\n\n`,
      ),
    );
    return false;
  }
  const stop = () => {
    void moto.stop().then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // The CLI's own clients read the default credential chain: point it at the emulator's.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    out(`${c.bold('Trailwarden demo on an emulated AWS account')} ${c.dim(`(moto at ${moto.endpoint})`)}\n`);
    await seedAccount(moto.endpoint, DEMO_ACCOUNT);
    const clients = new AwsClients({ endpoint: moto.endpoint });
    const regions = [REGION, 'eu-west-1'];
    const account = await callerAccount(clients, REGION);
    const snapshots = await loadRegions(clients, regions, { account });
    // One clock for the run: it decides which exceptions are in force, before and after the repair.
    const now = new Date();
    const evaluations = evaluateRegions(snapshots, policies, now);
    const before = combineEvaluations(evaluations);
    out(
      c.dim(
        `Seeded ${snapshots[0]?.trails.length ?? 0} trails seen from ${REGION} (one is a shadow of eu-west-1); ${policies.length} policies.\n\n`,
      ),
    );
    out(`${c.bold('1. Check')}\n${findingsTable(before, color)}\n`);
    out(
      `${c.bold('2. Plan')} ${c.dim('(action: remediate policies; never shrinks what a trail logs)')}\n${planTable(before.plan, color)}\n`,
    );
    out(`${c.bold('3. Apply')} ${c.dim('(each change is read back and evaluated again)')}\n`);
    let remediated = 0;
    let errors = 0;
    for (const [i, snapshot] of snapshots.entries()) {
      const outcome = await applyAndVerify(clients, snapshot, policies, evaluations[i] as Evaluation, {
        evaluation: { inventory: inventoryOf(snapshots) },
        now,
      });
      out(stepsText(outcome.steps, color));
      remediated += outcome.findings.filter((f) => f.status === 'REMEDIATED').length;
      errors += outcome.findings.filter((f) => f.status === 'ERROR' && f.remediation?.planned).length;
    }
    out(
      `${c.green(`${remediated} findings remediated and verified`)}${errors ? c.red(`, ${errors} could not be repaired`) : ''}\n\n`,
    );
    const after = evaluateAll(await loadRegions(clients, regions, { account }), policies, now);
    out(`${c.bold('4. Check again')}\n`);
    out(
      `before: ${before.summary.fail} failed, ${before.summary.error} errors; after: ${after.summary.fail} failed, ${after.summary.error} errors. ` +
        `${after.plan.length === 0 ? c.green('Nothing left to plan.') : c.red(`${after.plan.length} steps still planned.`)}\n`,
    );
    out(
      c.dim(
        'What still fails is report-only (e.g. KMS without a key id) or needs a person; ERRORs are calls the emulator does not implement (event configuration, event data stores).\n',
      ),
    );
    clients.destroy();
    return true;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await moto.stop();
  }
}

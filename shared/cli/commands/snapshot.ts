/** `trailwarden snapshot`: read live AWS into a snapshot file. */
import type { Command } from 'commander';
import { type CommandContext, type CommonOptions, liveClients, loadLive } from '../context.js';
import { EXIT } from '../exit.js';
import { addLiveAccounts } from '../flags.js';
import { checkWritable, writeOutput } from '../io.js';

export function snapshotCommand(program: Command, { io, setExit }: CommandContext): void {
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
}

/**
 * The `trailwarden` process: wires the CLI to stdin, stdout, stderr and the environment. The build
 * (`npm run build`) bundles this file into `dist/cli.mjs`, which `bin/trailwarden.mjs` runs.
 */
import { createInterface } from 'node:readline/promises';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  env: process.env,
  confirm: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  },
});

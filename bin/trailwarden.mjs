#!/usr/bin/env node
// The `trailwarden` command. The TypeScript sources run through tsx's loader, so the CLI and the
// tests always run the same code as the Lambda handlers, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../shared/cli/main.ts');
const { createInterface } = await import('node:readline/promises');
const code = await main(process.argv.slice(2), {
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
process.exitCode = code;

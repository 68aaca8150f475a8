#!/usr/bin/env node
// The `trailwarden` command. The TypeScript sources run through tsx's loader, so the CLI and the
// tests always run the same code as the Lambda handlers, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../shared/cli/main.ts');
const code = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
});
process.exitCode = code;

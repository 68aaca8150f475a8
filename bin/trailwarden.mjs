#!/usr/bin/env node
// The `trailwarden` command runs the CLI that `npm run build` bundles into dist/ (npm ci and
// npm pack build it), so an installed package needs neither TypeScript nor its dev tools.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'trailwarden: the CLI is not built (dist/cli.mjs is missing): run `npm run build` in the repository\n',
  );
  process.exit(3);
}
await import(built.href);

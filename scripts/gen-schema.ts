/**
 * Writes policies/schema.json from the zod policy model (`npm run schema`); a test fails when it is stale.
 * The JSON goes through Biome's formatter before it is written, so the file is already in the form
 * `npm run lint` expects and regenerating is one step.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyJsonSchema } from '../shared/policy/jsonSchema.js';

const root = join(import.meta.dirname, '..');
const target = join(root, 'policies', 'schema.json');

/** The exact text of policies/schema.json: the generated schema, formatted by the project's Biome. */
export function renderPolicySchema(): string {
  const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  // --stdin-file-path makes Biome apply biome.json's settings for that path without touching the file.
  return execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${target}`], {
    cwd: root,
    input: `${JSON.stringify(policyJsonSchema(), null, 2)}\n`,
    encoding: 'utf8',
  });
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  writeFileSync(target, renderPolicySchema());
  console.log(`wrote ${target}`);
}

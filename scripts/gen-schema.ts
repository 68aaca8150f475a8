/** Writes policies/schema.json from the zod policy model (`npm run schema`); a test fails when it is stale. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyJsonSchema } from '../shared/policy/jsonSchema.js';

const file = join(import.meta.dirname, '..', 'policies', 'schema.json');
writeFileSync(file, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);

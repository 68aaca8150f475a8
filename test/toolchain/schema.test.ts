import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPolicySchema } from '../../scripts/gen-schema.js';

const committed = join(import.meta.dirname, '..', '..', 'policies', 'schema.json');

describe('npm run schema', () => {
  // Regenerating must be one step: the script writes exactly the bytes Biome's formatter keeps, so
  // `npm run lint` passes right after `npm run schema`.
  it('renders policies/schema.json byte for byte as committed (formatted as Biome formats it)', () => {
    expect(renderPolicySchema()).toBe(readFileSync(committed, 'utf8'));
  });
});

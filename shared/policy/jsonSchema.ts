import { z } from 'zod';
import { ExceptionSchema } from './exceptions.js';
import { policySchemaFor } from './schema.js';

/** The full model, used to publish policies/schema.json for editors. */
/** Kept apart from the loader so Lambda bundles do not carry the JSON Schema generator. */
const PolicyFileSchema = z.strictObject({
  version: z.literal(1),
  policies: z.array(z.union([policySchemaFor('trail'), policySchemaFor('eventDataStore')])),
  exceptions: z
    .array(ExceptionSchema)
    .optional()
    .describe('Accepted risks: a scope (resources, accounts or tags), checks, a reason and an expiry'),
});

export function policyJsonSchema(): unknown {
  return {
    ...(z.toJSONSchema(PolicyFileSchema, { io: 'input', unrepresentable: 'any' }) as object),
    title: 'Trailwarden policy file',
  };
}

import { z } from 'zod';
import { checksFor } from './registry.js';
import type { ResourceKind } from './types.js';

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
const QUANTIFIERS = ['every', 'any', 'union'] as const;
const ACTIONS = ['report', 'remediate'] as const;
const RESOURCES = ['trail', 'eventDataStore'] as const;

export const SelectSchema = z.strictObject({
  names: z.array(z.string().min(1)).optional().describe('Trail or event data store names or ARNs'),
  tags: z.record(z.string(), z.string()).optional().describe('Tags the resource must carry (key: value)'),
  homeRegions: z.array(z.string().min(1)).optional().describe('Home Regions to include'),
  accounts: z
    .array(z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'))
    .min(1, 'expected at least one account id (leave accounts out to select every account)')
    .optional()
    .describe('Accounts the policy applies to (12-digit ids); with ous, an account must match both'),
  ous: z
    .array(
      z
        .string()
        .regex(
          /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/,
          'expected an organizational unit id (ou-…) or a root id (r-…)',
        ),
    )
    .min(1, 'expected at least one OU id (leave ous out to select every account)')
    .optional()
    .describe('Organizational units (ou-…, or a root r-…): accounts in them or in any OU below them'),
});

/** The fields every policy has; `require` and `forbid` are checked against the registry afterwards. */
export const PolicyBaseSchema = z.strictObject({
  id: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'expected letters, digits, ".", "_" or "-", starting with a letter or digit',
    ),
  description: z.string().optional(),
  severity: z.enum(SEVERITIES).default('medium'),
  resource: z.enum(RESOURCES).default('trail'),
  select: SelectSchema.optional(),
  quantifier: z.enum(QUANTIFIERS).default('every'),
  action: z.enum(ACTIONS).default('report'),
  require: z.record(z.string(), z.unknown()).optional(),
  forbid: z.record(z.string(), z.unknown()).optional(),
});

export const PolicyFileBaseSchema = z.strictObject({
  version: z.literal(1),
  policies: z.array(z.unknown()),
  exceptions: z.array(z.unknown()).optional(),
});

export type PolicyBase = z.infer<typeof PolicyBaseSchema>;

function sectionSchema(resource: ResourceKind, section: 'require' | 'forbid') {
  const shape: Record<string, z.ZodType> = {};
  for (const check of checksFor(resource, section))
    shape[check.key] = (check.params as z.ZodType).optional().describe(check.description);
  return z.strictObject(shape);
}

export function policySchemaFor(resource: ResourceKind) {
  return PolicyBaseSchema.extend({
    resource: resource === 'trail' ? z.literal('trail').optional() : z.literal('eventDataStore'),
    require: sectionSchema(resource, 'require').optional(),
    forbid: sectionSchema(resource, 'forbid').optional(),
  });
}

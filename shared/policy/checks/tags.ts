import { z } from 'zod';
import { label } from '../describe.js';
import type { Check, CheckDefinition, ResourceKind } from '../types.js';

const TagsParams = z.record(
  z.string().min(1),
  z.union([z.literal(true), z.string(), z.array(z.string()).min(1)]),
);
type TagsParams = z.infer<typeof TagsParams>;

function tagsCheck(resource: ResourceKind): CheckDefinition<TagsParams> {
  return {
    key: 'tags',
    section: 'require',
    resource,
    check: 'tags',
    description:
      'Required tags (CloudTrail.9): `true` for any value, a string for one value, a list for one of several.',
    params: TagsParams,
    iam: { evaluate: ['cloudtrail:ListTags'], remediate: [] },
    reads:
      resource === 'trail'
        ? ['DescribeTrails', 'ListTags']
        : ['ListEventDataStores', 'GetEventDataStore', 'ListTags'],
    example: { Owner: true, DataClassification: ['confidential', 'restricted'] },
    evaluate(r, required) {
      if (!r.tags) return { status: 'ERROR', message: `${label(r)}: its tags are not known` };
      const problems: string[] = [];
      // `tags: {}` asks for at least one user tag (Security Hub CloudTrail.9).
      if (Object.keys(required).length === 0 && !Object.keys(r.tags).some((k) => !k.startsWith('aws:')))
        problems.push('it has no tags');
      for (const [key, want] of Object.entries(required)) {
        const have = r.tags[key];
        if (have === undefined) problems.push(`tag ${key} is missing`);
        else if (typeof want === 'string' && have !== want)
          problems.push(`tag ${key} is "${have}", expected "${want}"`);
        else if (Array.isArray(want) && !want.includes(have))
          problems.push(`tag ${key} is "${have}", expected one of ${want.map((w) => `"${w}"`).join(', ')}`);
      }
      if (problems.length === 0) return { status: 'PASS', message: `${label(r)} carries the required tags` };
      return {
        status: 'FAIL',
        message: `${label(r)}: ${problems.join('; ')}`,
        manual: 'tags are added by their owners, not automatically',
      };
    },
  };
}

export const tagChecks: Check[] = [tagsCheck('trail'), tagsCheck('eventDataStore')];

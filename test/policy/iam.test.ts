import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CHECKS } from '../../shared/policy/registry.js';

/**
 * Every IAM action a check declares is granted by the roles that run it (as Cloud Custodian's
 * test_iamgen does): a new check cannot ship needing a permission the stack never gives.
 */
const stack = (name: string): unknown =>
  // CloudFormation's short-form tags (!Sub, !Ref, !If…) are kept as their plain values.
  parseDocument(readFileSync(fileURLToPath(new URL(`../../stack/${name}`, import.meta.url)), 'utf8'), {
    logLevel: 'silent',
  }).toJS();

/** The Allow actions of every statement under `node`, however deep. */
function allowed(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(allowed);
  if (node === null || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  const own = o.Effect === 'Allow' ? [o.Action].flat().filter((a): a is string => typeof a === 'string') : [];
  return [
    ...own,
    ...Object.entries(o).flatMap(([k, v]) => (k === 'AssumeRolePolicyDocument' ? [] : allowed(v))),
  ];
}

/** Actions the statements do not grant (an action may be granted by a wildcard such as `cloudtrail:Get*`). */
function missing(needed: readonly string[], granted: readonly string[]): string[] {
  const grants = (g: string, a: string) =>
    g === a || g === '*' || (g.endsWith('*') && a.startsWith(g.slice(0, -1)));
  return [...new Set(needed)].filter((a) => !granted.some((g) => grants(g, a)));
}

const evaluate = CHECKS.flatMap((c) => c.iam.evaluate);
const remediate = CHECKS.flatMap((c) => c.iam.remediate);

describe('IAM actions the checks declare', () => {
  it('are declared by every check', () => {
    expect(evaluate.length).toBeGreaterThan(CHECKS.length - 1);
    expect(remediate.length).toBeGreaterThan(0);
  });

  it('stack/iam.yml: the evaluating functions may read them all, the remediator may also repair', () => {
    const iam = stack('iam.yml') as Record<string, unknown>;
    expect(missing(evaluate, allowed(iam.evaluatorStatements))).toEqual([]);
    expect(missing([...evaluate, ...remediate], allowed(iam.remediatorStatements))).toEqual([]);
  });

  it('stack/member.yml: the reader role reads, the remediator and the operators’ member role also repair', () => {
    type Resource = { Type?: string; Properties?: { RoleName?: string; Roles?: string[] } };
    const resources = (stack('member.yml') as { Resources: Record<string, Resource> }).Resources;
    /** A role's own policies, and the policies attached to it by reference (`RoleName: !Ref Role`). */
    const role = (name: string) => {
      const found = Object.entries(resources).find(([, r]) => r.Properties?.RoleName === name);
      expect(found, name).toBeDefined();
      const [id, resource] = found as [string, Resource];
      const attached = Object.values(resources).filter(
        (r) =>
          r.Type !== 'AWS::IAM::Role' && (r.Properties?.RoleName === id || r.Properties?.Roles?.includes(id)),
      );
      return allowed([resource, ...attached]);
    };
    expect(missing(evaluate, role('TrailwardenReader'))).toEqual([]);
    expect(missing([...evaluate, ...remediate], role('TrailwardenRemediator'))).toEqual([]);
    expect(missing([...evaluate, ...remediate], role('TrailwardenMember'))).toEqual([]);
  });

  it('catches an action no statement grants', () => {
    expect(
      missing(['cloudtrail:GetTrail'], allowed([{ Effect: 'Allow', Action: 'cloudtrail:List*' }])),
    ).toEqual(['cloudtrail:GetTrail']);
    expect(
      missing(['cloudtrail:ListTags'], allowed([{ Effect: 'Allow', Action: ['cloudtrail:List*'] }])),
    ).toEqual([]);
  });
});

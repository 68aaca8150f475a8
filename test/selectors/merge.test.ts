import { describe, expect, it } from 'vitest';
import {
  asAdvanced,
  covers,
  MergeError,
  merge,
  overlaps,
  PolicyConflictError,
  SelectorError,
  toBasic,
} from '../../shared/selectors/index.js';
import { data, management, s3, sel } from './helpers.js';

const payrollWrites = s3(
  ['readOnly', 'Equals', 'false'],
  ['resources.ARN', 'StartsWith', 'arn:aws:s3:::payroll/'],
);

describe('merge (docs/semantics.md, "6. Changing a trail safely")', () => {
  it('changes nothing when the requirement is already covered', () => {
    const current = { EventSelectors: [{ ReadWriteType: 'All' as const }] };
    const result = merge(current, [management(['readOnly', 'Equals', 'false'])]);
    expect(result).toMatchObject({ changed: false, style: 'basic', addedRequirements: [] });
    expect(result.selectors).toBe(current);
  });

  it('keeps the basic style and adds only what is missing, dropping what the addition makes redundant', () => {
    const result = merge({ EventSelectors: [{ ReadWriteType: 'WriteOnly' }] }, [management(), payrollWrites]);
    expect(result.style).toBe('basic');
    expect(result.selectors).toEqual({
      EventSelectors: [
        { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] },
        {
          ReadWriteType: 'WriteOnly',
          IncludeManagementEvents: false,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::payroll/'] }],
        },
      ],
    });
    expect(merge(result.selectors, [management(), payrollWrites]).changed).toBe(false);
  });

  it('never drops unrelated selectors (unlike an overwrite)', () => {
    const lambda = data('AWS::Lambda::Function', [
      'resources.ARN',
      'Equals',
      'arn:aws:lambda:us-east-1:111122223333:function:f',
    ]);
    const current = { AdvancedEventSelectors: [management(['readOnly', 'Equals', 'false']), lambda] };
    const result = merge(current, [s3()]);
    expect(result.style).toBe('advanced');
    const after = (result.selectors as { AdvancedEventSelectors: unknown[] }).AdvancedEventSelectors;
    expect(after).toContainEqual(lambda);
    expect(covers(asAdvanced(result.selectors), asAdvanced(current)).covered).toBe(true);
  });

  it('converts exactly to advanced when a requirement has no basic form', () => {
    const putOnly = s3(['eventName', 'StartsWith', 'Put']);
    expect(toBasic(putOnly)).toBeUndefined();
    const current = { EventSelectors: [{ ExcludeManagementEventSources: ['kms.amazonaws.com'] }] };
    const result = merge(current, [putOnly]);
    expect(result.style).toBe('advanced');
    const list = asAdvanced(result.selectors);
    expect(list[0]?.FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Management'] },
      { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
    ]);
    expect(covers(list, [putOnly]).covered).toBe(true);
  });

  it('removes exactly the forbidden events and nothing else', () => {
    const logs = s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::logs/']);
    const result = merge({ AdvancedEventSelectors: [management(), s3()] }, [], [logs]);
    expect(result.removedForbidden).toBe(true);
    const after = asAdvanced(result.selectors);
    expect(overlaps(after, [logs]).overlaps).toBe(false);
    expect(covers(after, [s3(['resources.ARN', 'NotStartsWith', 'arn:aws:s3:::logs/'])]).covered).toBe(true);
    expect(after[1]?.FieldSelectors).toContainEqual({
      Field: 'resources.ARN',
      NotStartsWith: ['arn:aws:s3:::logs/'],
    });
  });

  it('rejects a policy that requires what it forbids, naming both and changing nothing', () => {
    const attempt = () => merge({ EventSelectors: [{}] }, [management(), s3()], [payrollWrites]);
    expect(attempt).toThrow(PolicyConflictError);
    expect(attempt).toThrow(/require\.logEvents\[1\] requires events that forbid\.logEvents\[0\] forbids/);
  });

  it('reports a result AWS cannot express instead of writing something wrong', () => {
    // What remains of "management" after forbidding "management except KMS" needs eventSource Equals kms.
    const attempt = () =>
      merge(
        { AdvancedEventSelectors: [management()] },
        [],
        [management(['eventSource', 'NotEquals', 'kms.amazonaws.com'])],
      );
    expect(attempt).toThrow(MergeError);
    expect(attempt).toThrow(/eventSource may only be NotEquals/);
  });

  it('consolidates basic selectors to stay within five', () => {
    const buckets = ['aaa', 'bbb', 'ccc', 'ddd', 'eee'].map((b) =>
      s3(['readOnly', 'Equals', 'false'], ['resources.ARN', 'StartsWith', `arn:aws:s3:::${b}/`]),
    );
    const result = merge({ EventSelectors: [{ ReadWriteType: 'All' }] }, buckets);
    expect(result.style).toBe('basic');
    const list = (result.selectors as { EventSelectors: unknown[] }).EventSelectors;
    expect(list.length).toBeLessThanOrEqual(5);
    expect(covers(asAdvanced(result.selectors), buckets).covered).toBe(true);
  });

  it('raises a SelectorError naming the path for malformed requirements', () => {
    expect(() =>
      merge({ EventSelectors: [{}] }, [
        sel(['eventCategory', 'Equals', 'Data'], ['resources.typ', 'Equals', 'x']),
      ]),
    ).toThrow(SelectorError);
    expect(() => merge({ EventSelectors: [{}] }, [sel(['resources.typ', 'Equals', 'x'])])).toThrow(
      /require\.logEvents\[0\]\.FieldSelectors\[0\]\.Field/,
    );
  });
});

describe('merge consults the field table of its target (docs/semantics.md, "7. What AWS accepts")', () => {
  const consoleLogin = management(['eventName', 'Equals', 'ConsoleLogin']);
  const network = sel(
    ['eventCategory', 'Equals', 'NetworkActivity'],
    ['eventSource', 'Equals', 'kms.amazonaws.com'],
  );

  it('never adds a requirement the target cannot take; the error names it and the rule', () => {
    const attempt = () => merge({ AdvancedEventSelectors: [s3()] }, [consoleLogin], [], { target: 'trail' });
    expect(attempt).toThrow(MergeError);
    expect(attempt).toThrow(
      /^require\.logEvents\[0\] cannot be written to a trail: eventName is not allowed in Management selectors on a trail \(allowed: eventCategory, eventSource, readOnly\)/,
    );
    try {
      attempt();
    } catch (error) {
      expect((error as MergeError).problems.map((p) => `${p.code}@${p.path}`)).toEqual([
        'field-not-allowed@require.logEvents[0].FieldSelectors[1]',
      ]);
    }
    // Already logged: nothing is written, so nothing can be rejected.
    expect(merge({ EventSelectors: [{}] }, [consoleLogin], [], { target: 'trail' }).changed).toBe(false);
    // An event data store takes it.
    const store = merge({ AdvancedEventSelectors: [s3()] }, [consoleLogin], [], { target: 'eventDataStore' });
    expect(asAdvanced(store.selectors)).toContainEqual({
      ...consoleLogin,
      Name: 'Required by policy (require.logEvents[0])',
    });
  });

  it('writes the cost guard as NotEquals kms.amazonaws.com, and keeps a basic trail basic', () => {
    const guard = management(['eventSource', 'Equals', 'kms.amazonaws.com']);
    const result = merge({ EventSelectors: [{ ReadWriteType: 'All' }] }, [], [guard], { target: 'trail' });
    expect(result.selectors).toEqual({
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          DataResources: [],
          ExcludeManagementEventSources: ['kms.amazonaws.com'],
        },
      ],
    });
  });

  it('cuts a forbidden set out only in a form the target takes, or says it cannot', () => {
    const current = { AdvancedEventSelectors: [management()] };
    const onTrail = () => merge(current, [], [consoleLogin], { target: 'trail' });
    expect(onTrail).toThrow(MergeError);
    try {
      onTrail();
    } catch (error) {
      expect((error as MergeError).problems.map((p) => p.code)).toEqual(['field-not-allowed']);
    }
    const onStore = merge(current, [], [consoleLogin], { target: 'eventDataStore' });
    expect(asAdvanced(onStore.selectors)).toEqual([management(['eventName', 'NotEquals', 'ConsoleLogin'])]);
    // errorCode takes only Equals VpceAccessDenied: "every network event but the denied ones" cannot be written.
    const denied = sel(
      ['eventCategory', 'Equals', 'NetworkActivity'],
      ['eventSource', 'Equals', 'kms.amazonaws.com'],
      ['errorCode', 'Equals', 'VpceAccessDenied'],
    );
    expect(() => merge({ AdvancedEventSelectors: [network] }, [], [denied], { target: 'trail' })).toThrow(
      /errorCode not in \[VpceAccessDenied\]/,
    );
  });

  it('adds network activity selectors on both targets, and refuses a forbidden set the target never logs', () => {
    for (const target of ['trail', 'eventDataStore'] as const) {
      const result = merge({ AdvancedEventSelectors: [management()] }, [network], [], { target });
      expect(result.changed).toBe(true);
      expect(covers(asAdvanced(result.selectors), [network]).covered).toBe(true);
    }
    expect(() =>
      merge({ AdvancedEventSelectors: [management()] }, [], [sel(['eventCategory', 'Equals', 'Insight'])], {
        target: 'trail',
      }),
    ).toThrow(/Insight selectors are not allowed on a trail/);
  });
});

describe('merge over shaped ARNs', () => {
  const allS3 = { AdvancedEventSelectors: [s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::'])] };

  it('decides in the resource partition: StartsWith arn:aws:s3::: already logs every object there', () => {
    expect(merge(allS3, [s3()], [], { partition: 'aws' }).changed).toBe(false);
    const cn = merge(allS3, [s3()], [], { partition: 'aws-cn' });
    expect(cn.changed).toBe(true);
    expect(covers(asAdvanced(cn.selectors), [s3()], { partition: 'aws-cn' }).covered).toBe(true);
  });

  it('writes whole-service basic values in the partition', () => {
    const result = merge({ EventSelectors: [{ ReadWriteType: 'All' }] }, [s3()], [], { partition: 'aws-cn' });
    expect(result.selectors).toEqual({
      EventSelectors: [
        { ReadWriteType: 'All' },
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: false,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws-cn:s3'] }],
        },
      ],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { EVENT_FIELDS, errorsOf, validate } from '../../shared/selectors/index.js';
import { data, type FieldSpec, management, s3, sel } from './helpers.js';

const codes = (config: unknown, target: 'trail' | 'eventDataStore' = 'trail') =>
  validate(config, target).map((p) => `${p.severity}:${p.code}@${p.path}`);

describe('validate: basic selectors', () => {
  it('accepts the default selector and a typical data selector', () => {
    expect(
      codes({
        EventSelectors: [
          { ReadWriteType: 'All', IncludeManagementEvents: true },
          {
            ReadWriteType: 'WriteOnly',
            IncludeManagementEvents: false,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bkt/'] }],
          },
        ],
      }),
    ).toEqual([]);
  });

  it('limits selectors to 5 and data resources to 250, not counting whole-service values', () => {
    expect(codes({ EventSelectors: Array.from({ length: 6 }, () => ({})) })).toContain(
      'error:too-many-selectors@EventSelectors',
    );
    const values = Array.from({ length: 251 }, (_, i) => `arn:aws:s3:::bucket-${i}/`);
    expect(
      codes({ EventSelectors: [{ DataResources: [{ Type: 'AWS::S3::Object', Values: values }] }] }),
    ).toContain('error:too-many-data-resources@EventSelectors');
    const okValues = [...values.slice(0, 250), 'arn:aws:s3'];
    expect(
      codes({ EventSelectors: [{ DataResources: [{ Type: 'AWS::S3::Object', Values: okValues }] }] }),
    ).toEqual([]);
  });

  it('rejects other resource types, other excluded sources, bad ReadWriteType and wrong types', () => {
    expect(
      codes({
        EventSelectors: [
          {
            ReadWriteType: 'Writes',
            IncludeManagementEvents: 'yes',
            ExcludeManagementEventSources: ['s3.amazonaws.com'],
            DataResources: [{ Type: 'AWS::S3::AccessPoint', Values: ['x'] }],
          },
        ],
      }),
    ).toEqual([
      'error:invalid-value@EventSelectors[0].ReadWriteType',
      'error:wrong-type@EventSelectors[0].IncludeManagementEvents',
      'error:invalid-excluded-source@EventSelectors[0].ExcludeManagementEventSources[0]',
      'error:invalid-resource-type@EventSelectors[0].DataResources[0].Type',
    ]);
  });

  it('suggests the closest key for a typo', () => {
    const [problem] = validate({ EventSelectors: [{ ReadWriteTyp: 'All' }] }, 'trail');
    expect(problem).toMatchObject({ code: 'unknown-key', path: 'EventSelectors[0].ReadWriteTyp' });
    expect(problem?.message).toContain('did you mean "ReadWriteType"');
  });

  it('never sends basic and advanced together, and event data stores take advanced only', () => {
    expect(codes({ EventSelectors: [], AdvancedEventSelectors: [] })).toContain('error:basic-and-advanced@');
    expect(codes({ EventSelectors: [{}] }, 'eventDataStore')).toContain(
      'error:basic-on-event-data-store@EventSelectors',
    );
  });

  it('warns about dead and redundant basic selectors', () => {
    expect(
      codes({
        EventSelectors: [
          { ReadWriteType: 'All' },
          { IncludeManagementEvents: false },
          { ReadWriteType: 'ReadOnly' },
        ],
      }),
    ).toEqual(['warning:dead-selector@EventSelectors[1]', 'warning:redundant-selector@EventSelectors[2]']);
  });

  it('warns about an S3 prefix without a slash after the bucket', () => {
    expect(
      codes({
        EventSelectors: [{ DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::payroll'] }] }],
      }),
    ).toEqual(['warning:s3-prefix-without-slash@EventSelectors[0].DataResources[0].Values[0]']);
  });
});

describe('validate: advanced selectors', () => {
  it('accepts typical selectors', () => {
    expect(
      codes({
        AdvancedEventSelectors: [management(), s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::bkt/'])],
      }),
    ).toEqual([]);
  });

  it('reports structure errors with their path', () => {
    expect(
      codes({
        AdvancedEventSelectors: [
          { FieldSelectors: [] },
          sel(['readOnly', 'Equals', 'true']),
          sel(['eventCategory', 'StartsWith', 'Man']),
          sel(['eventCategory', 'Equals', 'Data']),
          sel(
            ['eventCategory', 'Equals', 'Data'],
            ['resources.type', 'Equals', 'AWS::S3::Object', 'AWS::Lambda::Function'],
          ),
          sel(['eventCategory', 'Equals', 'Management'], ['readOnly', 'NotEquals', 'true']),
        ],
      }),
    ).toEqual([
      'error:empty-list@AdvancedEventSelectors[0].FieldSelectors',
      'error:missing-event-category@AdvancedEventSelectors[0].FieldSelectors',
      'error:missing-event-category@AdvancedEventSelectors[1].FieldSelectors',
      'error:equals-only@AdvancedEventSelectors[2].FieldSelectors[0].StartsWith',
      'error:missing-required-field@AdvancedEventSelectors[3].FieldSelectors',
      'error:multiple-resource-types@AdvancedEventSelectors[4].FieldSelectors[1].Equals',
      'error:equals-only@AdvancedEventSelectors[5].FieldSelectors[1].NotEquals',
    ]);
  });

  it('reports unknown fields and operators with a suggestion, and wrong value types', () => {
    const problems = validate(
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.arn', Equal: ['x'] },
              { Field: 'eventName', Equals: 'x' },
            ],
          },
        ],
      },
      'trail',
    );
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['unknown-field', 'AdvancedEventSelectors[0].FieldSelectors[1].Field'],
      ['unknown-operator', 'AdvancedEventSelectors[0].FieldSelectors[1].Equal'],
      ['no-operator', 'AdvancedEventSelectors[0].FieldSelectors[1]'],
      ['wrong-type', 'AdvancedEventSelectors[0].FieldSelectors[2].Equals'],
      ['missing-required-field', 'AdvancedEventSelectors[0].FieldSelectors'],
    ]);
    expect(problems[0]?.message).toContain('did you mean "resources.ARN"');
    expect(problems[1]?.message).toContain('did you mean "Equals"');
  });

  it('checks value lengths, empty lists and the 500-value limit on trails', () => {
    expect(
      codes({
        AdvancedEventSelectors: [sel(['eventCategory', 'Equals', 'Management'], ['eventName', 'Equals', ''])],
      }),
    ).toContain('error:value-length@AdvancedEventSelectors[0].FieldSelectors[1].Equals[0]');
    expect(
      codes({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: [] }] }] }),
    ).toContain('error:empty-list@AdvancedEventSelectors[0].FieldSelectors[0].Equals');
    const many = Array.from({ length: 500 }, (_, i) => `n${i}`);
    expect(codes({ AdvancedEventSelectors: [s3(['eventName', 'Equals', ...many])] })).toContain(
      'error:too-many-values@AdvancedEventSelectors',
    );
    expect(codes({ AdvancedEventSelectors: [s3(['eventName', 'Equals', ...many.slice(0, 498)])] })).toEqual(
      [],
    );
  });

  it('limits event data stores to five selectors and allows their categories', () => {
    const six = Array.from({ length: 6 }, (_, i) => management(['eventName', 'Equals', `n${i}`]));
    expect(codes({ AdvancedEventSelectors: six }, 'eventDataStore')).toContain(
      'error:too-many-selectors@AdvancedEventSelectors',
    );
    expect(
      codes(
        { AdvancedEventSelectors: [sel(['eventCategory', 'Equals', 'ConfigurationItem'])] },
        'eventDataStore',
      ),
    ).toEqual([]);
    expect(
      codes({ AdvancedEventSelectors: [sel(['eventCategory', 'Equals', 'ConfigurationItem'])] }, 'trail'),
    ).toContain('error:category-not-allowed@AdvancedEventSelectors[0].FieldSelectors[0].Equals[0]');
  });

  it('allows only NotEquals kms/rdsdata on eventSource for management events on trails', () => {
    expect(
      codes({ AdvancedEventSelectors: [management(['eventSource', 'NotEquals', 'kms.amazonaws.com'])] }),
    ).toEqual([]);
    expect(
      codes({ AdvancedEventSelectors: [management(['eventSource', 'Equals', 'kms.amazonaws.com'])] }),
    ).toContain('error:invalid-management-event-source@AdvancedEventSelectors[0].FieldSelectors[1]');
    expect(
      codes({ AdvancedEventSelectors: [management(['eventSource', 'NotEquals', 's3.amazonaws.com'])] }),
    ).toContain('error:invalid-management-event-source@AdvancedEventSelectors[0].FieldSelectors[1]');
  });

  it('checks the ARN format for Equals/NotEquals per resources.type', () => {
    const lambda = (arn: string) =>
      sel(
        ['eventCategory', 'Equals', 'Data'],
        ['resources.type', 'Equals', 'AWS::Lambda::Function'],
        ['resources.ARN', 'Equals', arn],
      );
    expect(
      codes({ AdvancedEventSelectors: [lambda('arn:aws:lambda:us-east-1:111122223333:function:f')] }),
    ).toEqual([]);
    expect(codes({ AdvancedEventSelectors: [lambda('arn:aws:lambda:us-east-1:111122223333:f')] })).toEqual([
      'error:invalid-arn-format@AdvancedEventSelectors[0].FieldSelectors[2].Equals[0]',
    ]);
  });

  it('flags S3 Equals/NotEquals ending in "/" and suggests StartsWith/NotStartsWith', () => {
    const problems = validate(
      { AdvancedEventSelectors: [s3(['resources.ARN', 'NotEquals', 'arn:aws:s3:::bkt/'])] },
      'trail',
    );
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 's3-equals-trailing-slash',
        path: 'AdvancedEventSelectors[0].FieldSelectors[2].NotEquals[0]',
      }),
    ]);
    expect(problems[0]?.message).toContain('NotStartsWith');
  });

  it('rejects an unknown resources.type and suggests the closest documented type', () => {
    const problems = validate({ AdvancedEventSelectors: [data('AWS::S3::Objects')] }, 'trail');
    expect(problems).toEqual([
      {
        severity: 'error',
        code: 'unknown-resource-type',
        path: 'AdvancedEventSelectors[0].FieldSelectors[1].Equals[0]',
        message: 'unknown resources.type "AWS::S3::Objects"; did you mean "AWS::S3::Object"?',
      },
    ]);
    expect(validate({ AdvancedEventSelectors: [data('Zzz')] }, 'eventDataStore')[0]?.message).toContain(
      'the documented types are AWS::S3::Object, AWS::Lambda::Function, AWS::DynamoDB::Table',
    );
    expect(codes({ AdvancedEventSelectors: [data('AWS::DynamoDB::Stream')] })).toEqual([]);
  });

  it('derives "matches no object" from the S3 object shape, not from a trailing slash', () => {
    const equals = (v: string) => codes({ AdvancedEventSelectors: [s3(['resources.ARN', 'Equals', v])] });
    // A "folder" object's key may end in "/": that is an object ARN.
    expect(equals('arn:aws:s3:::audit-logs/2026/')).toEqual([]);
    expect(equals('arn:aws-cn:s3:::audit-logs/k')).toEqual([]);
    // The lint and the solver use one definition: the selector matches nothing at all.
    expect(equals('arn:aws:s3:::audit-logs/')).toEqual([
      'warning:s3-equals-trailing-slash@AdvancedEventSelectors[0].FieldSelectors[2].Equals[0]',
      'warning:dead-selector@AdvancedEventSelectors[0]',
    ]);
    // Not a bucket name (too short, upper case): no object has this ARN, and AWS rejects it.
    expect(equals('arn:aws:s3:::ab/')).toEqual([
      'error:invalid-arn-format@AdvancedEventSelectors[0].FieldSelectors[2].Equals[0]',
    ]);
    expect(equals('arn:aws:s3:::Logs/k')).toEqual([
      'error:invalid-arn-format@AdvancedEventSelectors[0].FieldSelectors[2].Equals[0]',
    ]);
    const message = validate(
      { AdvancedEventSelectors: [s3(['resources.ARN', 'Equals', 'arn:aws:s3:::logs'])] },
      'trail',
    )[0]?.message;
    expect(message).toContain('needs the form arn:<partition>:s3:::<bucket_name>/<object_path>');
    expect(message).toContain('use StartsWith');
  });

  it('accepts Lambda qualifiers and checks Region and account in Equals values', () => {
    const lambda = (arn: string) =>
      codes({
        AdvancedEventSelectors: [data('AWS::Lambda::Function', ['resources.ARN', 'NotEquals', arn])],
      });
    expect(lambda('arn:aws:lambda:us-east-1:111122223333:function:f:$LATEST')).toEqual([]);
    expect(lambda('arn:aws:lambda:us-east-1:111122223333:function:f:prod')).toEqual([]);
    expect(lambda('arn:aws:lambda:us-east-1:11112222333:function:f')).toEqual([
      'error:invalid-arn-format@AdvancedEventSelectors[0].FieldSelectors[2].NotEquals[0]',
    ]);
  });

  it('warns about prefixes and suffixes no ARN of the type can have', () => {
    expect(
      codes({
        AdvancedEventSelectors: [
          s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::Payroll/', 'arn:aws:s3:::payroll/']),
          data('AWS::Lambda::Function', ['resources.ARN', 'NotEndsWith', '/']),
        ],
      }),
    ).toEqual([
      'warning:arn-prefix-matches-nothing@AdvancedEventSelectors[0].FieldSelectors[2].StartsWith[0]',
      'warning:arn-suffix-matches-nothing@AdvancedEventSelectors[1].FieldSelectors[2].NotEndsWith[0]',
    ]);
  });

  it('judges dead and redundant selectors over shaped ARNs', () => {
    expect(
      codes({
        AdvancedEventSelectors: [management(), s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::ab/'])],
      }),
    ).toEqual([
      'warning:arn-prefix-matches-nothing@AdvancedEventSelectors[1].FieldSelectors[2].StartsWith[0]',
      'warning:dead-selector@AdvancedEventSelectors[1]',
    ]);
    const everyBucket = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('').map((c) => `arn:aws:s3:::${c}`);
    const payrollReads = s3(
      ['readOnly', 'Equals', 'true'],
      ['resources.ARN', 'StartsWith', 'arn:aws:s3:::payroll/'],
    );
    expect(
      codes({ AdvancedEventSelectors: [s3(['resources.ARN', 'StartsWith', ...everyBucket]), payrollReads] }),
    ).toEqual(['warning:redundant-selector@AdvancedEventSelectors[1]']);
    // Without a partition, every partition counts: the arn:aws:… prefixes do not make all S3 objects redundant.
    expect(
      codes({ AdvancedEventSelectors: [s3(['resources.ARN', 'StartsWith', ...everyBucket]), s3()] }),
    ).toEqual(['warning:redundant-selector@AdvancedEventSelectors[0]']);
  });

  it('warns on duplicate values, dead and redundant selectors', () => {
    expect(
      codes({
        AdvancedEventSelectors: [
          s3(['eventName', 'Equals', 'A', 'A']),
          s3(['eventName', 'StartsWith', 'x'], ['eventName', 'NotStartsWith', 'x']),
          s3(),
        ],
      }),
    ).toEqual([
      'warning:duplicate-value@AdvancedEventSelectors[0].FieldSelectors[2].Equals[1]',
      'warning:dead-selector@AdvancedEventSelectors[1]',
      'warning:redundant-selector@AdvancedEventSelectors[0]',
    ]);
  });

  it('never throws on garbage', () => {
    for (const garbage of [
      null,
      42,
      'x',
      [],
      [null],
      { AdvancedEventSelectors: 'x' },
      { AdvancedEventSelectors: [{ FieldSelectors: [7] }] },
      {},
    ]) {
      expect(() => validate(garbage, 'trail')).not.toThrow();
    }
    expect(codes(null)).toEqual(['error:wrong-type@']);
    expect(codes({})).toEqual(['error:missing-selectors@']);
  });
});

describe('validate: fields per event category and target (docs/semantics.md, "7. What AWS accepts")', () => {
  /** The table of docs/semantics.md, "7. What AWS accepts", typed out independently of the implementation. */
  const TABLE: Record<'trail' | 'eventDataStore', Record<string, string[] | null>> = {
    trail: {
      Management: ['eventCategory', 'eventSource', 'readOnly'],
      Data: [
        'eventCategory',
        'resources.type',
        'eventName',
        'eventSource',
        'eventType',
        'resources.ARN',
        'readOnly',
        'sessionCredentialFromConsole',
        'userIdentity.arn',
      ],
      NetworkActivity: [
        'eventCategory',
        'eventSource',
        'eventName',
        'errorCode',
        'vpcEndpointId',
        'userIdentity.arn',
      ],
      Insight: null,
      ConfigurationItem: null,
      Evidence: null,
      ActivityAuditLog: null,
    },
    eventDataStore: {
      Management: [
        'eventCategory',
        'eventSource',
        'readOnly',
        'eventName',
        'eventType',
        'sessionCredentialFromConsole',
        'userIdentity.arn',
      ],
      Data: [
        'eventCategory',
        'resources.type',
        'eventName',
        'eventSource',
        'eventType',
        'resources.ARN',
        'readOnly',
        'sessionCredentialFromConsole',
        'userIdentity.arn',
      ],
      NetworkActivity: ['eventCategory', 'eventSource', 'eventName', 'errorCode', 'vpcEndpointId'],
      Insight: ['eventCategory'],
      ConfigurationItem: ['eventCategory'],
      Evidence: ['eventCategory'],
      ActivityAuditLog: ['eventCategory'],
    },
  };
  /** A value each field accepts with Equals, so only the field-per-category rule can object. */
  const VALUE: Record<string, string> = {
    readOnly: 'true',
    errorCode: 'VpceAccessDenied',
    'resources.type': 'AWS::S3::Object',
    'resources.ARN': 'arn:aws:s3:::example-bucket/key',
    sessionCredentialFromConsole: 'true',
  };
  const REQUIRED: Record<string, string[]> = { Data: ['resources.type'], NetworkActivity: ['eventSource'] };

  it.each(
    (['trail', 'eventDataStore'] as const).flatMap((target) =>
      Object.keys(TABLE[target]).flatMap((category) =>
        EVENT_FIELDS.filter((f) => f !== 'eventCategory').map((field) => [target, category, field] as const),
      ),
    ),
  )('%s, %s selector with %s: allowed exactly as the table says', (target, category, field) => {
    const specs: FieldSpec[] = [['eventCategory', 'Equals', category]];
    for (const f of REQUIRED[category] ?? []) if (f !== field) specs.push([f, 'Equals', VALUE[f] ?? 'x']);
    // The one eventSource a trail takes on management events (its own rule, tested below).
    if (target === 'trail' && category === 'Management' && field === 'eventSource')
      specs.push([field, 'NotEquals', 'kms.amazonaws.com']);
    else specs.push([field, 'Equals', VALUE[field] ?? 'x']);
    const problems = errorsOf(validate({ AdvancedEventSelectors: [sel(...specs)] }, target));
    const allowed = TABLE[target][category] ?? null;
    if (allowed === null) {
      expect(problems.map((p) => p.code)).toContain('category-not-allowed');
    } else if (allowed.includes(field)) {
      expect(problems).toEqual([]);
    } else {
      expect(problems.map((p) => `${p.code}@${p.path}`)).toEqual([
        `field-not-allowed@AdvancedEventSelectors[0].FieldSelectors[${specs.length - 1}]`,
      ]);
      expect(problems[0]?.message).toContain(`${field} is not allowed in ${category} selectors on`);
      expect(problems[0]?.message).toContain(`(allowed: ${allowed.join(', ')})`);
    }
  });

  it('explains a rejection with the category, the target, the field, the rule and the allowed fields', () => {
    const consoleLogin = { AdvancedEventSelectors: [management(['eventName', 'Equals', 'ConsoleLogin'])] };
    expect(validate(consoleLogin, 'trail')).toEqual([
      {
        severity: 'error',
        code: 'field-not-allowed',
        path: 'AdvancedEventSelectors[0].FieldSelectors[1]',
        message:
          'eventName is not allowed in Management selectors on a trail (allowed: eventCategory, eventSource, readOnly); event data stores allow it',
      },
    ]);
    expect(validate(consoleLogin, 'eventDataStore')).toEqual([]);
    const [onStore] = validate(
      {
        AdvancedEventSelectors: [
          sel(
            ['eventCategory', 'Equals', 'NetworkActivity'],
            ['eventSource', 'Equals', 'kms.amazonaws.com'],
            ['userIdentity.arn', 'StartsWith', 'arn:aws:iam::'],
          ),
        ],
      },
      'eventDataStore',
    );
    expect(onStore?.message).toBe(
      'userIdentity.arn is not allowed in NetworkActivity selectors on an event data store (allowed: eventCategory, eventSource, eventName, errorCode, vpcEndpointId); trails allow it',
    );
    const [readOnly] = validate(
      {
        AdvancedEventSelectors: [
          sel(
            ['eventCategory', 'Equals', 'NetworkActivity'],
            ['eventSource', 'Equals', 'kms.amazonaws.com'],
            ['readOnly', 'Equals', 'true'],
          ),
        ],
      },
      'trail',
    );
    expect(readOnly?.message).toBe(
      'readOnly is not allowed in NetworkActivity selectors on a trail (allowed: eventCategory, eventSource, eventName, errorCode, vpcEndpointId, userIdentity.arn); readOnly belongs in Management and Data selectors',
    );
    const [insight] = validate(
      { AdvancedEventSelectors: [sel(['eventCategory', 'Equals', 'Insight'])] },
      'trail',
    );
    expect(insight?.message).toBe(
      "Insight selectors are not allowed on a trail (allowed categories: Management, Data, NetworkActivity); a trail's Insights are turned on with insight selectors (the insights check)",
    );
  });

  it('requires eventSource for network activity events, on both targets', () => {
    const network = sel(['eventCategory', 'Equals', 'NetworkActivity'], ['eventName', 'Equals', 'Decrypt']);
    for (const target of ['trail', 'eventDataStore'] as const) {
      const problems = validate({ AdvancedEventSelectors: [network] }, target);
      expect(problems.map((p) => `${p.code}@${p.path}`)).toEqual([
        'missing-required-field@AdvancedEventSelectors[0].FieldSelectors',
      ]);
      expect(problems[0]?.message).toMatch(
        /^eventSource is required for network activity events on an? (trail|event data store) \(NetworkActivity selectors need eventCategory, eventSource; allowed: /,
      );
    }
  });

  it('takes errorCode only as Equals VpceAccessDenied', () => {
    const network = (...extra: FieldSpec[]) =>
      sel(
        ['eventCategory', 'Equals', 'NetworkActivity'],
        ['eventSource', 'Equals', 's3.amazonaws.com'],
        ...extra,
      );
    expect(codes({ AdvancedEventSelectors: [network(['errorCode', 'Equals', 'VpceAccessDenied'])] })).toEqual(
      [],
    );
    expect(codes({ AdvancedEventSelectors: [network(['errorCode', 'Equals', 'AccessDenied'])] })).toEqual([
      'error:invalid-value@AdvancedEventSelectors[0].FieldSelectors[2].Equals[0]',
    ]);
    expect(
      codes({ AdvancedEventSelectors: [network(['errorCode', 'NotEquals', 'VpceAccessDenied'])] }),
    ).toEqual(['error:equals-only@AdvancedEventSelectors[0].FieldSelectors[2].NotEquals']);
  });

  it('rejects resources.ARN on management events and vpcEndpointId/errorCode on data events', () => {
    expect(
      codes({ AdvancedEventSelectors: [management(['resources.ARN', 'StartsWith', 'arn:aws:iam::'])] }),
    ).toEqual(['error:field-not-allowed@AdvancedEventSelectors[0].FieldSelectors[1]']);
    expect(
      codes(
        {
          AdvancedEventSelectors: [
            s3(['vpcEndpointId', 'Equals', 'vpce-1'], ['errorCode', 'Equals', 'VpceAccessDenied']),
          ],
        },
        'eventDataStore',
      ),
    ).toEqual([
      'error:field-not-allowed@AdvancedEventSelectors[0].FieldSelectors[2]',
      'error:field-not-allowed@AdvancedEventSelectors[0].FieldSelectors[3]',
    ]);
  });
});

describe('validate: forbid lists are sets of events (purpose: forbid)', () => {
  const forbid = (list: unknown[], target: 'trail' | 'eventDataStore' = 'trail') =>
    validate(list, target, { purpose: 'forbid' }).map((p) => `${p.severity}:${p.code}@${p.path}`);

  it('accepts the cost guard eventSource Equals kms.amazonaws.com on a trail, which is never written', () => {
    const kms = management(['eventSource', 'Equals', 'kms.amazonaws.com']);
    expect(forbid([kms])).toEqual([]);
    expect(codes([kms])).toEqual([
      'error:invalid-management-event-source@AdvancedEventSelectors[0].FieldSelectors[1]',
    ]);
  });

  it('drops the rules about what is written: required fields, one resource type, count limits', () => {
    const everyDataEvent = sel(['eventCategory', 'Equals', 'Data']);
    const everyNetworkEvent = sel(['eventCategory', 'Equals', 'NetworkActivity']);
    const twoTypes = sel(
      ['eventCategory', 'Equals', 'Data'],
      ['resources.type', 'Equals', 'AWS::S3::Object', 'AWS::Lambda::Function'],
    );
    expect(forbid([everyDataEvent, everyNetworkEvent])).toEqual([]);
    expect(forbid([twoTypes])).toEqual([]);
    const six = Array.from({ length: 6 }, (_, i) => s3(['eventName', 'Equals', `n${i}`]));
    expect(forbid(six, 'eventDataStore')).toEqual([]);
  });

  it('keeps the rules that make the set meaningful', () => {
    expect(
      forbid([
        sel(['eventCategory', 'Equals', 'Insight']),
        sel(['eventCategory', 'Equals', 'NetworkActivity'], ['readOnly', 'Equals', 'true']),
        management(['readOnly', 'Equals', 'maybe']),
        sel(['eventCategory', 'StartsWith', 'Man']),
        s3(['resources.typ', 'Equals', 'x']),
      ]),
    ).toEqual([
      'error:category-not-allowed@AdvancedEventSelectors[0].FieldSelectors[0].Equals[0]',
      'error:field-not-allowed@AdvancedEventSelectors[1].FieldSelectors[1]',
      'error:invalid-value@AdvancedEventSelectors[2].FieldSelectors[1].Equals[0]',
      'error:equals-only@AdvancedEventSelectors[3].FieldSelectors[0].StartsWith',
      'error:unknown-field@AdvancedEventSelectors[4].FieldSelectors[2].Field',
    ]);
  });

  it('warns when a trail cannot remove exactly the forbidden events', () => {
    const problems = validate([management(['eventName', 'Equals', 'ConsoleLogin'])], 'trail', {
      purpose: 'forbid',
    });
    expect(problems.map((p) => `${p.severity}:${p.code}`)).toEqual(['warning:forbid-not-exactly-removable']);
    expect(problems[0]?.message).toContain('event data stores allow it');
    expect(forbid([management(['eventSource', 'Equals', 's3.amazonaws.com'])])).toEqual([
      'warning:forbid-not-exactly-removable@AdvancedEventSelectors[0].FieldSelectors[1]',
    ]);
    expect(forbid([management(['eventName', 'Equals', 'ConsoleLogin'])], 'eventDataStore')).toEqual([]);
  });
});

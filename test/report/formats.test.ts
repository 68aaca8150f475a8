import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../shared/report/csv.js';
import { renderReport } from '../../shared/report/index.js';
import { toJunit, xmlEscape } from '../../shared/report/junit.js';
import { toOcsf } from '../../shared/report/ocsf.js';
import { toSarif } from '../../shared/report/sarif.js';
import type { Report, ReportFinding } from '../../shared/report/types.js';
import { demoReport, ocsfValidator, sarifValidator } from './support.js';

const base: ReportFinding = {
  id: '0123456789abcdef0123',
  policyId: 'p',
  resource: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main',
  resourceName: 'main',
  region: 'us-east-1',
  status: 'FAIL',
  check: 'logEvents',
  severity: 'high',
  message: 'm',
};
const report = (findings: ReportFinding[]): Report => ({
  findings,
  plan: [],
  summary: { pass: 0, fail: 0, error: 0, skipped: 0, suppressed: 0 },
  policies: [{ id: 'p', description: 'd', severity: 'high', source: { file: 'policies/p.yaml', line: 3 } }],
  generatedAt: new Date('2026-06-01T00:00:00Z'),
  tool: { name: 'Trailwarden', version: '0.1.0' },
});
const hostile = 'a,"b"\n<c> & \'d\' =cmd|\u0007';
const every: ReportFinding[] = [
  { ...base, witness: { eventCategory: 'Management', readOnly: 'true' }, remediation: { planned: true } },
  { ...base, id: '1'.repeat(20), status: 'ERROR', check: 'logging', message: hostile },
  {
    ...base,
    id: '2'.repeat(20),
    status: 'SUPPRESSED',
    exception: { reason: hostile, expires: 'never', source: 'p.yaml:9' },
  },
  {
    ...base,
    id: '3'.repeat(20),
    status: 'SKIPPED',
    resource: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/*',
    resourceName: 'trails in us-east-1',
  },
  { ...base, id: '4'.repeat(20), status: 'PASS', check: 'multiRegion' },
  {
    ...base,
    id: '5'.repeat(20),
    location: { file: 'infra/trail.yaml', line: 12, logicalId: 'AuditTrail' },
    resource: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/AuditTrail',
  },
];

describe('SARIF 2.1.0', () => {
  const validate = sarifValidator();

  it('the demo account validates against the published schema', () => {
    const sarif = toSarif(demoReport());
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('a schema check that can fail: a wrong version or level is rejected', () => {
    const sarif = toSarif(report(every)) as { runs: { results: { level: string }[] }[] };
    expect(validate({ ...sarif, version: '2.0.0' })).toBe(false);
    (sarif.runs[0]?.results[0] as { level: string }).level = 'fatal';
    expect(validate(sarif)).toBe(false);
  });

  it('every status and a template location validate', () => {
    const sarif = toSarif(report(every));
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('rules are policy/check, levels come from severity, fingerprints from the finding id, locations from the ARN or the template', () => {
    const sarif = toSarif(report(every)) as {
      runs: [
        {
          tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } };
          results: Record<string, unknown>[];
        },
      ];
    };
    const [run] = sarif.runs;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['p/logEvents', 'p/logging']);
    expect(run.tool.driver.rules[0]?.defaultConfiguration.level).toBe('error');
    // PASS and SKIPPED are not results.
    expect(run.results).toHaveLength(4);
    const [fail, error, suppressed, template] = run.results as Record<string, never>[];
    expect(fail).toMatchObject({
      ruleId: 'p/logEvents',
      level: 'error',
      partialFingerprints: { 'trailwardenFindingId/v1': base.id },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'policies/p.yaml' }, region: { startLine: 3 } },
          logicalLocations: [{ fullyQualifiedName: base.resource, kind: 'resource' }],
        },
      ],
    });
    expect((fail as unknown as { message: { text: string } }).message.text).toContain(
      'Example event not logged as required: eventCategory=Management, readOnly=true',
    );
    expect(error).toMatchObject({ level: 'warning' });
    expect(suppressed).toMatchObject({ suppressions: [{ kind: 'external', status: 'accepted' }] });
    expect(template).toMatchObject({
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'infra/trail.yaml' }, region: { startLine: 12 } },
          logicalLocations: [{ name: 'AuditTrail' }],
        },
      ],
    });
  });
});

describe('OCSF Compliance Finding (class 2003)', () => {
  const validate = ocsfValidator();

  it('every event of the demo account and of every status validates against the schema built from OCSF 1.8.0', () => {
    for (const events of [toOcsf(demoReport()), toOcsf(report(every))]) {
      for (const e of events) expect(validate(e), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    }
  });

  it('carries the witness in the evidence data, the verdict in compliance and the severity id', () => {
    const [e] = toOcsf(report(every)) as Record<string, never>[];
    expect(e).toMatchObject({
      class_uid: 2003,
      type_uid: 200301,
      severity_id: 4,
      time: Date.parse('2026-06-01T00:00:00Z'),
      compliance: { control: 'p/logEvents', status_id: 3 },
      finding_info: { uid: base.id },
      evidences: [{ data: { exampleEvent: { eventCategory: 'Management', readOnly: 'true' } } }],
      cloud: { provider: 'AWS', account: { uid: '111122223333' } },
    });
  });

  it('a template finding names no account (its ARN holds a placeholder)', () => {
    const events = toOcsf(report(every)) as { cloud: { account?: unknown } }[];
    expect(events[5]?.cloud.account).toBeUndefined();
    expect(events[0]?.cloud.account).toEqual({ uid: '111122223333', type: 'AWS Account', type_id: 10 });
  });

  it('a schema check that can fail: a wrong class_uid is rejected', () => {
    const [e] = toOcsf(report(every)) as Record<string, unknown>[];
    expect(validate({ ...e, class_uid: 2001 })).toBe(false);
    expect(validate({ ...e, severity_id: 'high' })).toBe(false);
  });
});

describe('JUnit XML', () => {
  it('one testsuite per policy, one testcase per resource and check, FAIL/ERROR/SKIPPED/SUPPRESSED mapped', () => {
    const xml = toJunit(report(every));
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="Trailwarden" tests="6" failures="2" errors="1" skipped="2"/,
    );
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml).toContain(
      '<testcase classname="p" name="main [logEvents]" time="0">\n      <failure message="m" type="high">',
    );
    expect(xml).toContain(
      '<error message="a,&quot;b&quot;\n&lt;c&gt; &amp; &apos;d&apos; =cmd|" type="undecidable">',
    );
    expect(xml).toMatch(/<skipped message="suppressed by an exception \(p\.yaml:9\): a,&quot;b&quot;/);
    expect(xml).toContain('<testcase classname="p" name="main [multiRegion]" time="0"/>');
    expect(xml).toContain('name="AuditTrail [logEvents]" file="infra/trail.yaml" line="12"');
    expect(xml.includes('\u0007')).toBe(false);
  });

  it('suites per policy in the demo account', () => {
    const r = demoReport();
    const xml = toJunit(r);
    expect(xml.match(/<testsuite /g)).toHaveLength(new Set(r.findings.map((f) => f.policyId)).size);
    expect(xml.match(/<failure /g)).toHaveLength(r.summary.fail);
  });

  it('escapes what XML needs', () => {
    expect(xmlEscape(`<a href="x">'&'</a>\u0000`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
    );
  });
});

describe('CSV (RFC 4180)', () => {
  it('a header, one line per finding, CRLF, quotes doubled, formulas defused', () => {
    const csv = toCsv(report(every));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'id,status,severity,policy,check,resource,resource_name,region,message,example_event,remediation,exception_reason,exception_expires,file,line,logical_id',
    );
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csvField(hostile)).toBe(`"a,""b""\n<c> & 'd' =cmd|\u0007"`);
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('plain')).toBe('plain');
    expect(csvField(12)).toBe('12');
    expect(csv).toContain(',infra/trail.yaml,12,AuditTrail\r\n');
  });

  it('parses back to the same fields with a strict RFC 4180 reader', () => {
    const r = report(every);
    const rows = parseCsv(toCsv(r));
    expect(rows).toHaveLength(every.length + 1);
    for (const row of rows) expect(row).toHaveLength(16);
    expect(rows[2]?.[8]).toBe(hostile);
  });
});

describe('renderReport', () => {
  it.each(['sarif', 'ocsf'] as const)('%s is JSON', (format) => {
    expect(() => JSON.parse(renderReport(format, report(every)))).not.toThrow();
  });
});

/** A strict RFC 4180 reader for the round trip. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
    i++;
  }
  return rows;
}

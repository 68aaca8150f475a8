import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSnapshotFile, resourceViews } from '../../shared/engine/index.js';
import { covers, matches } from '../../shared/selectors/index.js';

/**
 * The HTML report in a real browser (Debian's chromium, installed by .ci/run when missing): the
 * cells, counts and findings on the page must be the engine's, hovering shows the witness, nothing
 * is fetched, user text stays text. A screenshot is taken; UPDATE_SCREENSHOT=1 keeps it as
 * docs/report.png.
 */
const root = join(import.meta.dirname, '..', '..');
const demo = join(root, 'examples', 'demo-account', 'snapshot.json');
const CHROMIUM =
  process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
const run = promisify(execFile);

async function cli(...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, [join(root, 'bin', 'trailwarden.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

let browser: Browser;
let page: Page;
const requests: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tw-report-'));
const out = join(dir, 'report.html');
let json: { findings: { id: string; status: string }[]; summary: Record<string, number> };

beforeAll(async () => {
  if (!CHROMIUM)
    throw new Error('chromium not found: install it (apt-get install -y chromium) or set CHROMIUM_PATH');
  const [report, check] = await Promise.all([
    cli('report', '--snapshot', demo, '--out', out),
    cli('check', '--snapshot', demo, '--format', 'json'),
  ]);
  expect(report.code).toBe(1);
  json = JSON.parse(check.stdout);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    // Playwright starts Chromium with a fresh temporary --user-data-dir of its own.
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${out}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('HTML coverage report in Chromium', () => {
  it('the summary counts are the JSON summary', async () => {
    const counts = await page.$$eval('#summary [data-status]', (els) =>
      Object.fromEntries(
        els.map((e) => [e.getAttribute('data-status'), Number(e.getAttribute('data-count'))]),
      ),
    );
    expect(counts).toEqual({
      PASS: json.summary.pass,
      FAIL: json.summary.fail,
      ERROR: json.summary.error,
      SKIPPED: json.summary.skipped,
      SUPPRESSED: json.summary.suppressed,
    });
  });

  it('every finding is listed once, with its status, grouped by policy', async () => {
    const rows = await page.$$eval('#findings tr[data-finding-id]', (els) =>
      els.map((e) => [e.getAttribute('data-finding-id'), e.getAttribute('data-status')]),
    );
    expect(rows.map((r) => r.join(' ')).sort()).toEqual(
      json.findings.map((f) => `${f.id} ${f.status}`).sort(),
    );
    const policies = await page.$$eval('#findings details[data-policy]', (els) =>
      els.map((e) => e.getAttribute('data-policy')),
    );
    expect(new Set(policies).size).toBe(policies.length);
  });

  it('each selector cell is the exact engine verdict, drawn in its colour', async () => {
    const [snapshot] = parseSnapshotFile(JSON.parse(readFileSync(demo, 'utf8')));
    const views = resourceViews(snapshot as never);
    const cells = await page.$$eval('#coverage tr[data-resource] td', (els) =>
      els.map((e) => ({
        resource: e.closest('tr')?.getAttribute('data-resource'),
        column: e.getAttribute('data-column'),
        state: e.getAttribute('data-state'),
        // Runs in the page; the tests are typed without the DOM library.
        color: (
          globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
        ).getComputedStyle(e).backgroundColor,
      })),
    );
    expect(new Set(cells.map((c) => c.resource)).size).toBe(views.length);
    const colour = { green: 'rgb(46, 125, 50)', red: 'rgb(198, 40, 40)', grey: 'rgb(158, 158, 158)' };
    for (const c of cells)
      expect(c.color, `${c.resource} ${c.column}`).toBe(colour[c.state as keyof typeof colour]);
    const required = {
      'management-read': {
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['true'] },
        ],
      },
      'management-write': {
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['false'] },
        ],
      },
      'data:AWS::S3::Object': {
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        ],
      },
    };
    for (const r of views) {
      for (const [column, selector] of Object.entries(required)) {
        const cell = cells.find((c) => c.resource === r.arn && c.column === column);
        const expected = !r.selectors
          ? 'grey'
          : r.active !== false && covers(r.selectors, [selector]).covered
            ? 'green'
            : 'red';
        expect(cell?.state, `${r.name} ${column}`).toBe(expected);
      }
      const logging = cells.find((c) => c.resource === r.arn && c.column === 'logging');
      expect(logging?.state).toBe(r.active === undefined ? 'grey' : r.active ? 'green' : 'red');
      const multi = cells.find((c) => c.resource === r.arn && c.column === 'multi-region');
      const isMulti = r.kind === 'trail' ? r.settings.IsMultiRegionTrail : r.settings.MultiRegionEnabled;
      expect(multi?.state).toBe(isMulti === true ? 'green' : isMulti === false ? 'red' : 'grey');
    }
  });

  it('hovering a red cell shows the witness, an event the resource does not log', async () => {
    const [snapshot] = parseSnapshotFile(JSON.parse(readFileSync(demo, 'utf8')));
    const trail = resourceViews(snapshot as never).find((r) => r.name === 'audit-no-kms-events');
    const cell = page.locator(`tr[data-resource="${trail?.arn}"] td[data-column="management-write"]`);
    await expect(cell.locator('.tip').isVisible()).resolves.toBe(false);
    await cell.hover();
    await expect(cell.locator('.tip').isVisible()).resolves.toBe(true);
    const text = (await cell.locator('.tip code').textContent()) ?? '';
    expect(text).toBe(
      'for example, not logged:\neventCategory=Management\nreadOnly=false\neventSource=kms.amazonaws.com\neventName=ScheduleKeyDeletion',
    );
    const witness = JSON.parse((await cell.getAttribute('data-witness')) ?? '{}');
    expect(witness.eventSource).toBe('kms.amazonaws.com');
    expect(matches(trail?.selectors ?? [], witness)).toBe(false);
  });

  it('shows no per-account summary for a single-account run', async () => {
    expect(await page.locator('[data-account]').count()).toBe(0);
  });

  it('is self-contained: the file is the only request', () => {
    expect(requests).toEqual([`file://${out}`]);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link |https?:\/\/(?!www\.w3\.org)/);
  });

  it('takes a screenshot (UPDATE_SCREENSHOT=1 keeps it as docs/report.png)', async () => {
    const cell = page.locator('td[data-column="management-write"][data-state="red"]').first();
    await cell.hover();
    const top = await page.locator('header').boundingBox();
    const coverage = await page.locator('#coverage').boundingBox();
    const height = Math.ceil((coverage?.y ?? 0) + (coverage?.height ?? 0) + 140 - (top?.y ?? 0));
    const png = await page.screenshot({
      clip: { x: 0, y: 0, width: 1400, height },
      fullPage: true,
      animations: 'disabled',
    });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1400);
    if (process.env.UPDATE_SCREENSHOT === '1') writeFileSync(join(root, 'docs', 'report.png'), png);
  });
});

describe('HTML report escapes user-controlled text', () => {
  it('a hostile trail name, tag and message stay text', async () => {
    const hostile = '<img src=x onerror="document.title=1">&<b>';
    const snapshot = JSON.parse(readFileSync(demo, 'utf8'));
    snapshot.trails[1].trail.Name = hostile;
    snapshot.trails[1].trail.TrailARN = `arn:aws:cloudtrail:us-east-1:111122223333:trail/${hostile}`;
    const file = join(dir, 'hostile.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const hostileOut = join(dir, 'hostile.html');
    await cli('report', '--snapshot', file, '--out', hostileOut);
    const p = await browser.newPage();
    await p.goto(`file://${hostileOut}`);
    expect(await p.locator('img').count()).toBe(0);
    expect(await p.locator('#coverage tbody th b').count()).toBe(0);
    expect(await p.title()).toBe('Trailwarden coverage report');
    expect(await p.locator('#coverage').textContent()).toContain(hostile);
    await p.close();
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

interface Project {
  test: { name: string; include: string[]; exclude?: string[] };
}
const projects = (config.test?.projects ?? []) as unknown as Project[];

const testFiles = (readdirSync(join(root, 'test'), { recursive: true }) as string[])
  .map((file) => `test/${file.split('\\').join('/')}`)
  .filter((file) => file.endsWith('.test.ts'));

const projectsOf = (file: string) =>
  projects
    .filter(
      ({ test }) =>
        test.include.some((glob) => matchesGlob(file, glob)) &&
        !(test.exclude ?? []).some((glob) => matchesGlob(file, glob)),
    )
    .map(({ test }) => test.name);

describe('vitest projects', () => {
  it('put every test file in exactly one project', () => {
    expect(testFiles.length).toBeGreaterThan(30);
    for (const file of testFiles) expect([file, projectsOf(file).length]).toEqual([file, 1]);
  });

  // The long fast-check runs keep their full budgets under `npm test`, outside the fast unit run.
  it('runs the long property suites in `property`, not in `unit`', () => {
    for (const file of [
      'test/selectors/properties.test.ts',
      'test/selectors/shapes.properties.test.ts',
      'test/engine/planner.property.test.ts',
    ]) {
      expect(testFiles).toContain(file);
      expect([file, projectsOf(file)]).toEqual([file, ['property']]);
    }
  });

  it('keeps moto, the built CLI and the browser out of `unit` and `property`', () => {
    for (const file of testFiles.filter((f) => /^test\/(integration|stack|cli|browser)\//.test(f)))
      expect([file, projectsOf(file)]).toEqual([file, ['integration']]);
  });

  it('has an npm script per project, and `npm test` runs them all', () => {
    expect(pkg.scripts['test:unit']).toBe('vitest run --project unit');
    expect(pkg.scripts['test:property']).toBe('vitest run --project property');
    expect(pkg.scripts['test:integration']).toBe('vitest run --project integration');
    expect(pkg.scripts.test).toMatch(/&& vitest run$/);
  });
});

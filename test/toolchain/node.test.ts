import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
const major = (version: string) => Number(/(\d+)/.exec(version)?.[1]);

describe('toolchain', () => {
  it('runs the tests on the Node.js major that the `node` devDependency pins (the Lambda runtime’s)', () => {
    expect(pkg.devDependencies.node).toMatch(/^\d+\.\d+\.\d+$/);
    expect(major(process.version)).toBe(major(pkg.devDependencies.node));
  });

  it('asks for that major or later in engines, and targets it in the builds', () => {
    const wanted = major(pkg.devDependencies.node);
    expect(pkg.engines.node).toBe(`>=${wanted}`);
    expect(major(pkg.devDependencies['@types/node'])).toBe(wanted);
    expect(pkg.scripts.bench).toContain(`--target=node${wanted}`);
    expect(readFileSync(join(import.meta.dirname, '..', '..', 'scripts', 'build.mjs'), 'utf8')).toContain(
      `target: 'node${wanted}'`,
    );
    expect(readFileSync(join(import.meta.dirname, '..', '..', 'serverless.yml'), 'utf8')).toMatch(
      new RegExp(`runtime: nodejs${wanted}\\.x[\\s\\S]*target: node${wanted}`),
    );
  });
});

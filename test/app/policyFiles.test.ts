import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyPathError, readPolicyFiles } from '../../shared/app/policyFiles.js';
import { PolicyLoadError } from '../../shared/policy/document.js';

const policy = (id: string) =>
  `version: 1\npolicies:\n  - id: ${id}\n    severity: high\n    require: { logging: true }\n`;

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-policies-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('readPolicyFiles (the handlers off Lambda)', () => {
  it('reads every .yaml and .yml file under folders and files, relative to the root, skipping others', () => {
    const root = tree({
      'packs/a.yaml': policy('a'),
      'packs/deep/b.yml': policy('b'),
      'packs/notes.md': 'not a policy',
      'extra.yaml': policy('c'),
    });
    expect(readPolicyFiles('packs, extra.yaml', root).map((p) => p.id)).toEqual(['a', 'b', 'c']);
  });

  it('names a path that does not exist, and a folder without policy files', () => {
    const root = tree({ 'empty/readme.txt': '' });
    expect(() => readPolicyFiles('missing', root)).toThrow(
      new PolicyPathError(`POLICY_PATHS: ${join(root, 'missing')}: no such file or folder`),
    );
    expect(() => readPolicyFiles('empty', root)).toThrow('POLICY_PATHS: empty: no .yaml files found');
  });

  it("reports a bad policy with its file and line, as the CLI's loader does", () => {
    const root = tree({ 'p.yaml': 'version: 1\npolicies:\n  - id: x\n    severity: loud\n' });
    expect(() => readPolicyFiles('p.yaml', root)).toThrow(PolicyLoadError);
    expect(() => readPolicyFiles('p.yaml', root)).toThrow(/^p\.yaml:4:/);
  });
});

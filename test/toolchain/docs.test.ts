import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const SKIP = new Set(['node_modules', '.git', 'dist', 'coverage', '.serverless', '.esbuild']);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    if (SKIP.has(name)) continue;
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(join(root, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

const files = walk('');
const markdown = files.filter((f) => f.endsWith('.md') && (!f.includes('/') || f.startsWith('docs/')));
const text = (file: string) => readFileSync(join(root, file), 'utf8');

/** Relative Markdown link targets, `[text](target)`, without a #fragment; web and mail links left out. */
function links(file: string): string[] {
  return [...text(file).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => (m[1] as string).split('#')[0] as string)
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target));
}

/** Backticked paths into the repository's own folders, e.g. `shared/cli/commands/` (placeholders left out). */
const REPO_PATH = /^(shared|test|stack|functions|bench|scripts|policies|examples|docs|bin)\/[\w./-]*$/;
function repoPaths(file: string): string[] {
  return [...text(file).matchAll(/`([^`\s]+)`/g)].map((m) => m[1] as string).filter((p) => REPO_PATH.test(p));
}

describe('the README and docs/ refer only to what is in the repository', () => {
  it('checks the README, CONTRIBUTING and every page of docs/', () => {
    expect(markdown).toEqual(
      expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/semantics.md']),
    );
  });

  it('links only files that exist', () => {
    for (const file of markdown) {
      const base = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
      for (const target of links(file))
        expect([file, target, existsSync(join(root, base, target))]).toEqual([file, target, true]);
    }
  });

  it('names only repository paths that exist (backticked shared/…, test/…, stack/…)', () => {
    let named = 0;
    for (const file of markdown)
      for (const path of repoPaths(file)) {
        named++;
        expect([file, path, existsSync(join(root, path))]).toEqual([file, path, true]);
      }
    expect(named).toBeGreaterThan(20);
  });

  // The team's design notes lived in a folder beside the repository; a user of the repo has docs/.
  it('never points into the design or reference folders outside the repository', () => {
    const outside = ['../shared/', 'design', '../shared/', 'reference'];
    const patterns = [outside[0] + (outside[1] as string), outside[2] + (outside[3] as string)];
    const readable = files.filter((f) => /\.(ts|mts|mjs|js|json|ya?ml|md|txt)$/.test(f));
    expect(readable.length).toBeGreaterThan(100);
    for (const file of readable)
      for (const pattern of patterns)
        expect([file, pattern, text(file).includes(pattern)]).toEqual([file, pattern, false]);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { TrailwardenError } from '../errors.js';
import { type Policy, parsePolicyFiles } from '../policy/loader.js';

/** A policy path that cannot be read: names the path and what was expected there. */
export class PolicyPathError extends TrailwardenError {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyPathError';
  }
}

const isPolicyFile = (name: string) => /\.ya?ml$/.test(name);

/** The *.yaml and *.yml files under one file or folder (folders recursively), sorted. */
function filesUnder(path: string): string[] {
  let folder: boolean;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    throw new PolicyPathError(`POLICY_PATHS: ${path}: no such file or folder`);
  }
  if (!folder) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter(isPolicyFile)
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

/**
 * The policies a handler enforces when it runs off Lambda (tests, local invocations): every policy
 * file under the comma-separated `paths` (relative to `root`), validated as one set. In a Lambda
 * bundle the policies are embedded at build time instead. The CLI has its own reader, with its
 * size limits for files a user points it at; these are the deployment's own files.
 */
export function readPolicyFiles(paths: string, root: string): Policy[] {
  const entries = paths
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const files = entries.flatMap((p) => filesUnder(isAbsolute(p) ? p : join(root, p)));
  if (files.length === 0) throw new PolicyPathError(`POLICY_PATHS: ${paths}: no .yaml files found`);
  return parsePolicyFiles(
    files.map((file) => ({ file: relative(root, file) || file, text: readFileSync(file, 'utf8') })),
  ).policies;
}

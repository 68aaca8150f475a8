import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseSnapshotFile, type Snapshot, SnapshotError } from '../engine/index.js';
import { parsePolicyFiles } from '../policy/loader.js';

/** Bad input from the user: exit code 2, with one message saying what and where. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, expected a file' : String(error)}`,
    );
  }
}

/** Reads a snapshot file: one Region's snapshot or a list of them. */
export function readSnapshot(file: string): Snapshot[] {
  const text = read(file, 'snapshot');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`snapshot ${file}: not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseSnapshotFile(data);
  } catch (error) {
    if (error instanceof SnapshotError) throw new InputError(`snapshot ${file}: ${error.message}`);
    throw error;
  }
}

/** Policy files under the given files and folders (folders recursively, *.yaml and *.yml), sorted. */
export function policyFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new InputError(`policies ${path}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        const child = join(path, name);
        if (statSync(child).isDirectory() || /\.ya?ml$/.test(name)) walk(child);
      }
    } else {
      out.push(path);
    }
  };
  for (const p of paths) walk(p);
  if (out.length === 0) throw new InputError(`policies ${paths.join(', ')}: no .yaml files found`);
  return out;
}

export function loadPolicies(paths: readonly string[]) {
  const files = policyFiles(paths).map((file) => ({
    file: relative(process.cwd(), file) || file,
    text: read(file, 'policy file'),
  }));
  return parsePolicyFiles(files);
}

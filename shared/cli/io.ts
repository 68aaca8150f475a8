import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseSnapshotFile, type Snapshot, SnapshotError } from '../engine/index.js';
import { TrailwardenError } from '../errors.js';
import { parsePolicyFiles } from '../policy/loader.js';
import { packagePath } from './package.js';

/** Bad input from the user: exit code 2, with one message saying what and where. */
export class InputError extends TrailwardenError {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * What `--policies` reads when not given: the CIS and Security Hub packs only. The examples
 * (a fictional payroll bucket, a cost guard…) would report on, and repair, resources of a real
 * account as if they mattered, so they are read only when named.
 */
export const DEFAULT_POLICY_PATHS: readonly string[] = [
  packagePath('policies', 'cis-aws-foundations.yaml'),
  packagePath('policies', 'security-hub-cloudtrail.yaml'),
];

/**
 * Input size caps, far above real use (the packs are 2 KB; a 10,000-trail snapshot is 45 MB, and an
 * account has at most a few dozen trails), so a wrong file fails at once instead of after minutes
 * and gigabytes.
 */
export const LIMITS = {
  policyFile: 1024 * 1024,
  snapshotFile: 256 * 1024 * 1024,
  event: 64 * 1024,
} as const;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`;
  return `${n} bytes`;
}

/** Why these bytes are not text, if they are not: a NUL byte, or bytes that are not UTF-8. */
function notText(bytes: Uint8Array): string | undefined {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return `binary content at byte ${nul}`;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    return 'not UTF-8';
  }
}

/**
 * Reads a text file, refusing one larger than `cap` (before reading it) and one that is not text;
 * every failure is one InputError naming the file.
 */
export function readText(file: string, what: string, cap: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new InputError(`${what} ${file}: ${fsReason(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError(`${what} ${file}: is a folder, expected a file`);
    if (stat.size > cap)
      throw new InputError(
        `${what} ${file}: ${formatBytes(stat.size)} is more than the ${formatBytes(cap)} a ${what} may have`,
      );
    // Read at most cap + 1 bytes, so a device or a growing file cannot get past the cap either.
    const buffer = Buffer.alloc(Math.min(cap + 1, Math.max(stat.size, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > cap)
      throw new InputError(`${what} ${file}: more than the ${formatBytes(cap)} a ${what} may have`);
    const bytes = buffer.subarray(0, length);
    const why = notText(bytes);
    if (why) throw new InputError(`${what} ${file}: not a text file (${why})`);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${what} ${file}: ${fsReason(error)}`);
  } finally {
    closeSync(fd);
  }
}

function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder, expected a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/** A short, printable excerpt of a parser's message: never raw control or binary characters. */
export function printable(message: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  const clean = message.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?').split('\n')[0] ?? '';
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Reads a snapshot file: one Region's snapshot or a non-empty list of them. */
export function readSnapshot(file: string): Snapshot[] {
  const text = readText(file, 'snapshot', LIMITS.snapshotFile);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`snapshot ${file}: not valid JSON: ${printable((error as Error).message)}`);
  }
  try {
    return parseSnapshotFile(data);
  } catch (error) {
    if (error instanceof SnapshotError) throw new InputError(`snapshot ${file}: ${error.message}`);
    throw error;
  }
}

/** Refuses, with one clear message, a place an output file cannot be written to (without touching it). */
export function checkWritable(file: string, what = '--out'): void {
  const folder = dirname(file);
  let dir: ReturnType<typeof statSync>;
  try {
    dir = statSync(folder);
  } catch {
    throw new InputError(`${what} ${file}: the folder ${folder} does not exist`);
  }
  if (!dir.isDirectory()) throw new InputError(`${what} ${file}: ${folder} is not a folder`);
  let target: ReturnType<typeof statSync> | undefined;
  try {
    target = statSync(file);
  } catch {
    target = undefined;
  }
  if (target?.isDirectory()) throw new InputError(`${what} ${file}: is a folder; give a file name`);
}

/** Writes an output file, with one clear message when the place cannot take it. */
export function writeOutput(file: string, text: string, what = '--out'): void {
  checkWritable(file, what);
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new InputError(`${what} ${file}: ${fsReason(error)}`);
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

export function loadPolicies(paths: readonly string[] = DEFAULT_POLICY_PATHS) {
  const files = policyFiles(paths).map((file) => ({
    file: relative(process.cwd(), file) || file,
    text: readText(file, 'policy file', LIMITS.policyFile),
  }));
  return parsePolicyFiles(files);
}

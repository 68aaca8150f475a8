import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of Trailwarden's package.json: the repository when the sources run, the installed
 * package when the built CLI runs from `dist/`. Built-in policy packs and the demo snapshot are
 * found from here, never from the working directory.
 */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the package, e.g. `packagePath('policies')`. */
export const packagePath = (...segments: string[]) => join(PACKAGE_ROOT, ...segments);

export const PACKAGE_VERSION: string = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version;

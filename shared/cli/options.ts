/**
 * Checks of the live-AWS options, before any client is built: a bad value is bad input (exit 2)
 * with a message naming the option, never an SDK error or a stack trace later.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from './io.js';

/** Region codes: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, eusc-de-east-1… */
const REGION = /^[a-z]{2,4}(-[a-z0-9]+)+-\d{1,2}$/;

export function checkRegion(value: string, source: string): string {
  if (REGION.test(value)) return value;
  const what = value.trim() === '' ? 'empty' : 'not a Region code';
  throw new InputError(`${source} ${JSON.stringify(value)}: ${what}; expected a Region such as us-east-1`);
}

export function checkEndpoint(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
    throw new InputError(
      `${source} ${JSON.stringify(value)}: not an endpoint URL; expected http://host:port or https://host`,
    );
  return value;
}

/** Seconds, as a number of milliseconds: a positive number up to an hour. */
export function checkSeconds(value: string, option: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new InputError(`${option} ${value}: expected a number of seconds between 0 and 3600`);
  return Math.round(seconds * 1000);
}

/** The profiles defined in the shared config and credentials files (as the SDK reads them). */
function profilesIn(file: string, config: boolean): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)) {
    const header = m[1] as string;
    // In the config file a profile is [profile name] (or [default]); other sections are not profiles.
    if (!config) out.push(header);
    else if (header === 'default') out.push(header);
    else if (/^profile\s+/.test(header)) out.push(header.replace(/^profile\s+/, ''));
  }
  return out;
}

/** A named profile must exist in ~/.aws/config or ~/.aws/credentials (or the files the env names). */
export function checkProfile(name: string, env: Readonly<Record<string, string | undefined>>): string {
  const home = env.HOME ?? homedir();
  const configFile = env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials');
  const known = [...profilesIn(configFile, true), ...profilesIn(credentialsFile, false)];
  if (known.includes(name)) return name;
  throw new InputError(
    `--profile ${name}: no such profile in ${configFile} or ${credentialsFile}${known.length ? ` (profiles there: ${[...new Set(known)].join(', ')})` : ''}`,
  );
}

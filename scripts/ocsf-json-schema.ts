/**
 * Builds a JSON Schema (draft-07) for one OCSF event class from the definitions of the OCSF schema
 * repository (github.com/ocsf/ocsf-schema): dictionary.json, categories.json, events/ and objects/.
 * OCSF publishes no JSON Schema file per class (its schema server renders one on request), so the
 * test schema is compiled here, offline. Structural only: types, arrays, required attributes,
 * enumerated ids, object constraints, no unknown attributes; descriptions are left out.
 *
 *   npx tsx scripts/ocsf-json-schema.ts <ocsf-schema checkout> compliance_finding cloud > out.json
 *
 * The last arguments are the profiles to include (their attributes are allowed, never required).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;
interface Attr {
  type?: string;
  is_array?: boolean;
  requirement?: string;
  enum?: Record<string, unknown>;
  profile?: string | null;
  [k: string]: unknown;
}
interface Definition {
  name: string;
  extends?: string;
  attributes: Record<string, Attr | string[]>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
  uid?: number;
  category?: string;
}

const [root, className, ...profiles] = process.argv.slice(2);
if (!root || !className) {
  console.error('usage: ocsf-json-schema.ts <ocsf-schema checkout> <class name> [profile...]');
  process.exit(2);
}
const read = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as Json;
const dictionary = read('dictionary.json') as {
  attributes: Record<string, Attr>;
  types: { attributes: Record<string, Attr> };
};
const categories = read('categories.json') as { attributes: Record<string, { uid: number }> };
const version = (read('version.json') as { version: string }).version;

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
}
const byName = (dir: string) =>
  new Map(walk(dir).map((f) => [(read(f) as unknown as Definition).name, read(f) as unknown as Definition]));
const events = byName('events');
const objects = byName('objects');

/** A definition's own attributes, with `$include`d files' attributes first (tagged with their profile). */
function ownAttributes(def: Definition): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  const includes = (def.attributes.$include as string[] | undefined) ?? [];
  for (const file of includes) {
    const inc = read(file) as unknown as Definition;
    const profile = file.startsWith('profiles/') ? inc.name : undefined;
    for (const [k, v] of Object.entries(ownAttributes(inc)))
      out[k] = { ...(profile ? { profile } : {}), ...v };
  }
  for (const [k, v] of Object.entries(def.attributes)) {
    if (k === '$include') continue;
    out[k] = { ...(out[k] ?? {}), ...(v as Attr) };
  }
  return out;
}

/** Attributes along the `extends` chain, the child's fields overriding the parent's. */
function resolved(def: Definition, table: Map<string, Definition>): Record<string, Attr> {
  const parent = def.extends ? table.get(def.extends) : undefined;
  const base = parent ? resolved(parent, table) : {};
  const own = ownAttributes(def);
  const out: Record<string, Attr> = { ...base };
  for (const [k, v] of Object.entries(own)) {
    const merged = { ...(base[k] ?? {}), ...v };
    if (base[k]?.enum && v.enum) merged.enum = { ...base[k].enum, ...v.enum };
    out[k] = merged;
  }
  return out;
}

const BASE: Record<string, Json> = {
  string_t: { type: 'string' },
  integer_t: { type: 'integer' },
  long_t: { type: 'integer' },
  float_t: { type: 'number' },
  boolean_t: { type: 'boolean' },
  json_t: {},
};
function scalar(type: string): Json | undefined {
  let t: string | undefined = type;
  for (let i = 0; t && i < 5; i++) {
    if (BASE[t]) return BASE[t];
    t = dictionary.types.attributes[t]?.type;
  }
  return undefined;
}

const definitions: Record<string, Json> = {};
function objectRef(name: string): Json {
  if (name === 'object') return { type: 'object' };
  if (!(name in definitions)) {
    definitions[name] = {};
    const def = objects.get(name);
    if (!def) throw new Error(`unknown object ${name}`);
    definitions[name] = objectSchema(def, resolved(def, objects));
  }
  return { $ref: `#/definitions/${name}` };
}

function attributeSchema(name: string, attr: Attr): Json {
  const dict = dictionary.attributes[name] ?? {};
  const type = (attr.type as string | undefined) ?? dict.type;
  if (!type) throw new Error(`attribute ${name} has no type`);
  let schema = scalar(type) ?? objectRef(type);
  const enumIds = { ...(dict.enum ?? {}), ...(attr.enum ?? {}) };
  if (Object.keys(enumIds).length > 0 && schema.type === 'integer')
    schema = {
      ...schema,
      enum: Object.keys(enumIds)
        .map(Number)
        .sort((a, b) => a - b),
    };
  return (attr.is_array ?? dict.is_array) ? { type: 'array', items: schema } : schema;
}

function objectSchema(def: Definition, attrs: Record<string, Attr>): Json {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const [k, a] of Object.entries(attrs)) {
    if (a.profile && !profiles.includes(a.profile)) continue;
    properties[k] = attributeSchema(k, a);
    if (a.requirement === 'required' && !a.profile) required.push(k);
  }
  const schema: Json = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required.sort();
  const c = def.constraints;
  if (c?.at_least_one) schema.anyOf = c.at_least_one.map((k) => ({ required: [k] }));
  if (c?.just_one) schema.oneOf = c.just_one.map((k) => ({ required: [k] }));
  return schema;
}

const cls = events.get(className);
if (!cls) throw new Error(`no event class ${className}`);
const attrs = resolved(cls, events);
let categoryName = cls.category;
for (let d: Definition | undefined = cls; !categoryName && d?.extends; d = events.get(d.extends))
  categoryName = events.get(d.extends)?.category;
const categoryUid = categories.attributes[categoryName as string]?.uid as number;
const classUid = categoryUid * 1000 + (cls.uid as number);
const schema = objectSchema(cls, attrs);
const props = schema.properties as Record<string, Json>;
const activities = ((props.activity_id as Json).enum as number[]).filter((n) => n !== 0 && n !== 99);
props.class_uid = { type: 'integer', const: classUid };
props.category_uid = { type: 'integer', const: categoryUid };
props.type_uid = { type: 'integer', enum: [0, ...activities, 99].map((a) => classUid * 100 + a) };

process.stdout.write(
  `${JSON.stringify(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `https://schema.ocsf.io/${version}/classes/${className}`,
      title: `OCSF ${version} ${className} (class_uid ${classUid}), profiles: ${profiles.join(', ') || 'none'}`,
      ...schema,
      definitions,
    },
    null,
    1,
  )}\n`,
);

/**
 * Template text → plain data plus the line of any path in it. One parser for CloudFormation YAML,
 * CloudFormation JSON and Terraform plan JSON (JSON is YAML): the `yaml` package keeps positions.
 * CloudFormation's short-form intrinsics (`!Ref X`, `!Sub …`, `!GetAtt A.B`, `!If [...]`) become
 * their long form (`{Ref: X}`, `{"Fn::Sub": …}`), so the rest sees one shape.
 */

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { TrailwardenError } from '../errors.js';

/** A template that cannot be read: exit 2 with this message (it names the file, and the line when known). */
export class TemplateError extends TrailwardenError {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export type Segment = string | number;

export interface SourceDocument {
  readonly file: string;
  readonly data: unknown;
  /** The line of the key (for a map entry) or the item (in a list) a path points to; 1 when unknown. */
  line(path: readonly Segment[]): number;
}

/** Short-form tags CloudFormation knows; `!GetAtt A.B` is the one whose scalar form has a shape of its own. */
const SHORT_FORMS = new Set([
  'Ref',
  'Condition',
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'ToJsonString',
  'Length',
]);

function toData(node: unknown, file: string, lines: LineCounter): unknown {
  if (isAlias(node)) throw new TemplateError(`${file}: YAML aliases are not supported in templates`);
  let value: unknown;
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = toData(pair.value, file, lines);
    }
    value = out;
  } else if (isSeq(node)) {
    value = node.items.map((item) => toData(item, file, lines));
  } else if (isScalar(node)) {
    value = node.value;
  } else {
    value = null;
  }
  const tag = (node as Node | null)?.tag;
  if (!tag?.startsWith('!') || tag.startsWith('!!')) return value;
  const name = tag.slice(1);
  if (!SHORT_FORMS.has(name)) {
    const at = (node as Node).range ? lines.linePos((node as Node).range?.[0] ?? 0).line : 1;
    throw new TemplateError(`${file}:${at}: unknown intrinsic function !${name}`);
  }
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

function locate(root: Node | null, path: readonly Segment[]): number | undefined {
  let node: unknown = root;
  let at: number | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      at = (pair.key as Node).range?.[0] ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      at = (node as Node | undefined)?.range?.[0] ?? at;
    } else break;
  }
  return at;
}

/** YAML accepts what JSON does not (trailing commas, comments): a .json file must be JSON. */
function strictJson(text: string, file: string) {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : undefined;
    const before = offset === undefined ? '' : text.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset === undefined ? 1 : offset - before.lastIndexOf('\n');
    throw new TemplateError(
      `${file}${offset === undefined ? '' : `:${line}:${col}`}: not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')}`,
    );
  }
}

export function readSource(text: string, file: string): SourceDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const [error] = doc.errors;
  if (error) {
    const kind = /\.json$/i.test(file) ? 'JSON' : 'YAML';
    const pos = error.linePos?.[0];
    const first = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new TemplateError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid ${kind}: ${first}`);
  }
  if (/\.json$/i.test(file)) strictJson(text, file);
  const root = doc.contents as Node | null;
  const data = toData(root, file, lines);
  return {
    file,
    data,
    line: (path) => {
      const at = locate(root, path);
      return at === undefined ? 1 : lines.linePos(at).line;
    },
  };
}

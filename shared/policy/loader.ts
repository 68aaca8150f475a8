import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import {
  combinePolicyResults,
  type Locator,
  type Policy,
  type PolicyProblem,
  parsePolicyData,
  type Segment,
} from './document.js';

export * from './document.js';

function locate(root: Node | null, path: readonly Segment[], key = false): [number, number] | undefined {
  let node: unknown = root;
  let best: [number, number] | undefined = root?.range ? [root.range[0], root.range[1]] : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) return best;
      const keyNode = pair.key as Node;
      if (last && key && keyNode.range) return [keyNode.range[0], keyNode.range[1]];
      node = pair.value;
      if (keyNode.range) best = [keyNode.range[0], keyNode.range[1]];
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      return best;
    }
    const range = (node as Node | undefined)?.range;
    if (range) best = [range[0], range[1]];
  }
  return best;
}

/** Line and column of a path in a parsed YAML document. */
function yamlLocator(root: Node | null, lines: LineCounter): Locator {
  return (path, key) => {
    const at = locate(root, path, key);
    return at ? lines.linePos(at[0]) : undefined;
  };
}

/** Parses one policy file's text; never throws, returns policies and every problem found. */
export function parsePolicyText(
  text: string,
  file: string,
): { policies: Policy[]; problems: PolicyProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const [yamlError] = doc.errors;
  if (yamlError) {
    // Later YAML errors are usually echoes of the first; one clear message is better.
    const pos = yamlError.linePos?.[0] ?? { line: 1, col: 1 };
    const message = (yamlError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return {
      policies: [],
      problems: [
        { severity: 'error', file, line: pos.line, column: pos.col, path: '', message: `YAML: ${message}` },
      ],
    };
  }
  const yamlProblem = (at: number | undefined, message: string) => {
    const pos = at === undefined ? { line: 1, col: 1 } : lines.linePos(at);
    return {
      policies: [],
      problems: [{ severity: 'error' as const, file, line: pos.line, column: pos.col, path: '', message }],
    };
  };
  // An alias to an anchor defined nowhere (or later) has no value: say where, before toJS throws.
  let unresolved: { source: string; at: number | undefined } | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        unresolved = { source: node.source, at: node.range?.[0] };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (unresolved)
    return yamlProblem(
      unresolved.at,
      `YAML: alias *${unresolved.source} refers to no anchor &${unresolved.source} defined before it`,
    );
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // E.g. an alias bomb: too many aliases to expand safely.
    return yamlProblem(undefined, `YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return parsePolicyData(data, file, yamlLocator(doc.contents as Node | null, lines));
}

/** Parses several files together: ids must be unique across all of them. Throws PolicyLoadError on any error. */
export function parsePolicyFiles(files: readonly { file: string; text: string }[]): {
  policies: Policy[];
  warnings: PolicyProblem[];
} {
  return combinePolicyResults(files.map(({ file, text }) => parsePolicyText(text, file)));
}

export type { Segment };

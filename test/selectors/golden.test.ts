import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  asAdvanced,
  covers,
  equivalent,
  errorsOf,
  hasArnShape,
  type MergeError,
  matches,
  merge,
  overlaps,
  type SelectorConfig,
  validate,
} from '../../shared/selectors/index.js';

/**
 * Golden cases: one JSON file per case under test/selectors/golden, each with an operation, its
 * inputs and the expected verdict. Witnesses are checked by the matcher and against the fields the
 * case pins down; the engine may pick any other valid values.
 */
const dir = join(import.meta.dirname, 'golden');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

interface Case {
  description: string;
  op: 'covers' | 'overlaps' | 'equivalent' | 'validate' | 'merge';
  target?: 'trail' | 'eventDataStore';
  /** For validate: what the list is for (default write). */
  purpose?: 'write' | 'forbid';
  /** The partition of the trail (every known partition when absent). */
  partition?: string;
  trail: SelectorConfig;
  required?: Parameters<typeof covers>[1];
  forbidden?: Parameters<typeof overlaps>[1];
  other?: SelectorConfig;
  expected: Record<string, unknown>;
}

describe('golden selector cases', () => {
  it('has cases', () => expect(files.length).toBeGreaterThanOrEqual(20));

  for (const file of files) {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Case;
    it(`${file}: ${c.description}`, () => {
      const trail = asAdvanced(c.trail);
      const { witness, ...rest } = c.expected as { witness?: Record<string, string> };
      const options = { partition: c.partition };
      /** A witness is an event a user could meet: its ARN has the shape of its type, in the partition. */
      const expectRealResource = (w: Record<string, string | undefined>) => {
        const type = w['resources.type'] as string;
        const arn = w['resources.ARN'] as string;
        expect(hasArnShape(type, arn, c.partition) ?? true, `${type} ${arn}`).toBe(true);
      };
      switch (c.op) {
        case 'covers': {
          const result = covers(trail, c.required ?? [], options);
          expect(result).toMatchObject(rest);
          if (!result.covered) {
            expectRealResource(result.witness);
            expect(matches(c.required, result.witness)).toBe(true);
            expect(matches(trail, result.witness)).toBe(false);
            expect(result.witness).toMatchObject(witness ?? {});
          }
          break;
        }
        case 'overlaps': {
          const result = overlaps(trail, c.forbidden ?? [], options);
          expect(result).toMatchObject(rest);
          if (result.overlaps) {
            expectRealResource(result.witness);
            expect(matches(trail, result.witness) && matches(c.forbidden, result.witness)).toBe(true);
            expect(result.witness).toMatchObject(witness ?? {});
          }
          break;
        }
        case 'equivalent':
          expect(equivalent(trail, asAdvanced(c.other as SelectorConfig), options)).toMatchObject(rest);
          break;
        case 'validate':
          expect(
            validate(c.trail, c.target ?? 'trail', { purpose: c.purpose ?? 'write' }).map(
              (p) => `${p.severity}:${p.code}@${p.path}`,
            ),
          ).toEqual((c.expected as { problems: string[] }).problems);
          break;
        case 'merge': {
          const mergeOptions = { target: c.target ?? 'trail', partition: c.partition };
          const { throws, problems } = rest as { throws?: string; problems?: string[] };
          if (throws) {
            // No list the target accepts: the typed error, with the rules broken.
            let error: unknown;
            try {
              merge(c.trail, c.required ?? [], c.forbidden ?? [], mergeOptions);
            } catch (e) {
              error = e;
            }
            expect((error as Error | undefined)?.name).toBe(throws);
            expect((error as MergeError).problems.map((p) => `${p.code}@${p.path}`)).toEqual(problems);
            break;
          }
          const result = merge(c.trail, c.required ?? [], c.forbidden ?? [], mergeOptions);
          expect(result).toMatchObject(rest);
          expect(errorsOf(validate(result.selectors, mergeOptions.target))).toEqual([]);
          expect(merge(result.selectors, c.required ?? [], c.forbidden ?? [], mergeOptions).changed).toBe(
            false,
          );
          break;
        }
      }
    });
  }
});

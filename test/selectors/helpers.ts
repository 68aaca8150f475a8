import type { AdvancedEventSelector, AdvancedFieldSelector } from '../../shared/selectors/index.js';

/** Terse selector builders for tests: sel(['eventCategory', 'Equals', 'Data'], ...). */
export type FieldSpec = [field: string, op: keyof Omit<AdvancedFieldSelector, 'Field'>, ...values: string[]];

export function sel(...specs: FieldSpec[]): AdvancedEventSelector {
  const fields = new Map<string, AdvancedFieldSelector>();
  for (const [field, op, ...values] of specs) {
    const fs = fields.get(field) ?? { Field: field };
    fs[op] = [...(fs[op] ?? []), ...values];
    fields.set(field, fs);
  }
  return { FieldSelectors: [...fields.values()] };
}

export const management = (...extra: FieldSpec[]) => sel(['eventCategory', 'Equals', 'Management'], ...extra);
export const data = (type: string, ...extra: FieldSpec[]) =>
  sel(['eventCategory', 'Equals', 'Data'], ['resources.type', 'Equals', type], ...extra);
export const s3 = (...extra: FieldSpec[]) => data('AWS::S3::Object', ...extra);

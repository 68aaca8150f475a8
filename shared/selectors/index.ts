/** The selector semantics engine (docs/semantics.md): pure, no AWS SDK, no environment, no clock. */
export type { Purpose, RuleProblem } from './categoryChecks.js';
export type { CategoryRule, EventCategory, FieldRule } from './categoryRules.js';
export {
  CATEGORY_RULES,
  categoriesOn,
  categoryRule,
  EQUALS_ONLY_FIELDS,
  EXCLUDABLE_MANAGEMENT_SOURCES,
  FIELD_RULES,
  fieldAllowed,
} from './categoryRules.js';
export { compileSelectors } from './compile.js';
export { asAdvanced, DEFAULT_TRAIL_EVENT_SELECTORS, isWholeServiceValue, toAdvanced } from './convert.js';
export type { CoverageResult, DecisionOptions, EquivalenceResult, OverlapResult } from './decide.js';
export { covers, deadSelectors, equivalent, overlaps, redundantSelectors } from './decide.js';
export { MergeError, PolicyConflictError, SelectorEngineError, SelectorError } from './errors.js';
export { explainMiss, type SelectorMiss } from './explain.js';
export { EVENT_CATEGORIES, FIELD_DOMAINS } from './fields.js';
export { matches, matchingSelectors } from './match.js';
export type { MergeOptions, MergeResult } from './merge.js';
export { merge, toBasic } from './merge.js';
export type { ArnValueFit, ResourceTypeInfo } from './resourceTypes.js';
export {
  arnValueFit,
  exampleArn,
  hasArnShape,
  isDocumentedType,
  KNOWN_PARTITIONS,
  partitionOf,
  RESOURCE_TYPES,
  resourceTypeInfo,
} from './resourceTypes.js';
export * from './types.js';
export type { Problem, ValidateOptions } from './validate.js';
export { errorsOf, LIMITS, validate } from './validate.js';

import { z } from 'zod';

/*
 * The AWS response shapes that checks read directly (GetInsightSelectors, GetEventConfiguration),
 * PascalCase as AWS sends them. They sit below the engine's snapshot schema, which embeds them, so
 * that checks need nothing from the engine. Unknown keys are kept: AWS adds fields over time.
 */

const str = z.string();

export const InsightSelectorSchema = z.looseObject({
  InsightType: str,
  EventCategories: z.array(str).optional(),
});

export const EventConfigurationSchema = z.looseObject({
  MaxEventSize: str.optional(),
  ContextKeySelectors: z.array(z.looseObject({ Type: str, Equals: z.array(str) })).optional(),
  AggregationConfigurations: z
    .array(z.looseObject({ Templates: z.array(str), EventCategory: str }))
    .optional(),
});

export type InsightSelector = z.infer<typeof InsightSelectorSchema>;
export type EventConfiguration = z.infer<typeof EventConfigurationSchema>;

import type { SeedAccount } from './seed.js';

const MANAGEMENT = { Field: 'eventCategory', Equals: ['Management'] };
const API_ERRORS = [{ InsightType: 'ApiErrorRateInsight' as const }];

/**
 * The emulated demo's account, with the classic mistakes: read and write management selectors that
 * are fine, excluded KMS events, a `NotEquals "bucket/"` that excludes nothing, a stopped trail, a
 * write-only trail without global service events, and a multi-Region trail homed in eu-west-1
 * (seen from us-east-1 as a shadow trail).
 */
export const DEMO_ACCOUNT: SeedAccount = {
  bucket: 'acme-cloudtrail',
  trails: [
    {
      name: 'security',
      region: 'us-east-1',
      options: { IsMultiRegionTrail: true, TagsList: [{ Key: 'role', Value: 'security' }] },
      selectors: {
        AdvancedEventSelectors: [
          {
            Name: 'Read management events',
            FieldSelectors: [MANAGEMENT, { Field: 'readOnly', Equals: ['true'] }],
          },
          {
            Name: 'Write management events',
            FieldSelectors: [MANAGEMENT, { Field: 'readOnly', Equals: ['false'] }],
          },
        ],
      },
      insights: API_ERRORS,
      logging: true,
    },
    {
      name: 'audit-no-kms-events',
      region: 'us-east-1',
      options: { IsMultiRegionTrail: true, EnableLogFileValidation: true, KmsKeyId: 'alias/cloudtrail' },
      selectors: {
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            ExcludeManagementEventSources: ['kms.amazonaws.com'],
          },
        ],
      },
      insights: API_ERRORS,
      logging: true,
    },
    {
      name: 'data-events',
      region: 'us-east-1',
      options: { EnableLogFileValidation: true, TagsList: [{ Key: 'role', Value: 'data' }] },
      selectors: {
        AdvancedEventSelectors: [
          {
            Name: 'S3 writes except payroll',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              { Field: 'readOnly', Equals: ['false'] },
              { Field: 'resources.ARN', NotEquals: ['arn:aws:s3:::acme-payroll/'] },
            ],
          },
        ],
      },
      insights: API_ERRORS,
      logging: true,
    },
    {
      name: 'legacy',
      region: 'us-east-1',
      options: { EnableLogFileValidation: true, TagsList: [{ Key: 'cost-profile', Value: 'lean' }] },
      selectors: {
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
          },
        ],
      },
      insights: API_ERRORS,
      logging: false,
    },
    {
      name: 'app-writes',
      region: 'us-east-1',
      options: { IncludeGlobalServiceEvents: false, TagsList: [{ Key: 'role', Value: 'security' }] },
      selectors: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] },
      insights: API_ERRORS,
      logging: true,
    },
    {
      name: 'eu-central',
      region: 'eu-west-1',
      options: { IsMultiRegionTrail: true },
      selectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
      insights: API_ERRORS,
      logging: true,
    },
  ],
};

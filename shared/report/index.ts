/** Output formats, each rendered from the same findings. */
import { toCsv } from './csv.js';
import { toJunit } from './junit.js';
import { toOcsf } from './ocsf.js';
import { toSarif } from './sarif.js';
import type { Report } from './types.js';

export type { Report, ReportFinding, SourceLocation } from './types.js';
export const REPORT_FORMATS = ['sarif', 'junit', 'ocsf', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(format: ReportFormat, report: Report): string {
  switch (format) {
    case 'sarif':
      return `${JSON.stringify(toSarif(report), null, 2)}\n`;
    case 'ocsf':
      return `${JSON.stringify(toOcsf(report), null, 2)}\n`;
    case 'junit':
      return toJunit(report);
    case 'csv':
      return toCsv(report);
  }
}

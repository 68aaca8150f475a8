import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Evaluation } from '../engine/index.js';
import { decideOnTemplate, readTemplates, TemplateError, type TemplateSnapshot } from '../iac/index.js';
import { cloudFormationChange, terraformChange } from '../iac/patch.js';
import type { Policy } from '../policy/loader.js';
import type { ReportFinding } from '../report/index.js';
import { InputError } from './io.js';
import { compactJson, palette } from './render.js';

/** Reads `--template` files; any problem is bad input naming the file (and line). */
export function readTemplateFiles(paths: readonly string[], region: string): TemplateSnapshot {
  const files = paths.map((path) => {
    const file = relative(process.cwd(), path) || path;
    try {
      return { file, text: readFileSync(path, 'utf8') };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(
        `template ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, expected a file' : String(error)}`,
      );
    }
  });
  try {
    return readTemplates(files, region);
  } catch (error) {
    if (error instanceof TemplateError) throw new InputError(`template ${error.message}`);
    throw error;
  }
}

export type TemplateEvaluation = Evaluation & { findings: ReportFinding[] };

export function onTemplate(evaluation: Evaluation, template: TemplateSnapshot, policies: readonly Policy[]) {
  return decideOnTemplate(evaluation, template, policies);
}

/** `plan --template`: each repair as the template change that makes it, at the resource's line. */
export function templatePlanText(result: Evaluation, template: TemplateSnapshot, color: boolean): string {
  const c = palette(color);
  if (result.plan.length === 0) return 'Nothing to change.\n';
  return result.plan
    .map((step, i) => {
      const at = template.locations.get(step.resource);
      const terraform =
        at?.logicalId.includes('.') && /\.json$/i.test(at.file) && !/^[A-Z]/.test(at.logicalId);
      const change = terraform ? terraformChange(step) : cloudFormationChange(step);
      const where = at ? `${at.file}:${at.line} ${at.logicalId}` : step.resource;
      return `${c.bold(`${i + 1}. ${where}`)}  ${c.dim(`(${step.operation} after deploy)`)}\n${compactJson(
        change,
      )
        .split('\n')
        .map((l) => `     ${l}`)
        .join('\n')}\n`;
    })
    .join('');
}

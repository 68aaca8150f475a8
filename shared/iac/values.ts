/**
 * CloudFormation values: what can be known before deploy. A literal is known; so is an intrinsic
 * that only combines literals and what the run was told (the partition, the Region). Anything else
 * (`!Ref` of a parameter, `!GetAtt` of a generated name, `!If` on a condition) is "not known", with
 * the expression, never a guess.
 */

export type Resolved =
  | { readonly known: true; readonly value: unknown }
  | { readonly known: false; readonly expression: string };

export interface ResolveContext {
  readonly partition: string;
  readonly region: string | undefined;
  /** Names of resources given literally in the template, for `!Ref` and `!GetAtt X.Arn` of S3 buckets. */
  readonly bucketNames: ReadonlyMap<string, string>;
}

const intrinsicName = (v: Record<string, unknown>) => {
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::') || keys[0] === 'Condition')
    ? (keys[0] as string)
    : undefined;
};

/** `{Ref: X}` → `!Ref X`, as a person wrote it. */
export function expressionText(v: unknown): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v);
  const name = intrinsicName(v as Record<string, unknown>);
  if (!name) return JSON.stringify(v);
  const arg = (v as Record<string, unknown>)[name];
  const short = name === 'Ref' ? '!Ref' : `!${name.replace(/^Fn::/, '')}`;
  if (name === 'Ref') return `!Ref ${String(arg)}`;
  if (name === 'Fn::GetAtt' && Array.isArray(arg)) return `!GetAtt ${arg.join('.')}`;
  const text = JSON.stringify(arg) ?? '';
  return `${short} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

function pseudo(name: string, ctx: ResolveContext): string | undefined {
  if (name === 'AWS::Partition') return ctx.partition;
  if (name === 'AWS::URLSuffix') return ctx.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  if (name === 'AWS::Region') return ctx.region;
  return undefined;
}

function resolveIntrinsic(name: string, arg: unknown, ctx: ResolveContext): unknown | undefined {
  if (name === 'Ref' && typeof arg === 'string') return pseudo(arg, ctx) ?? ctx.bucketNames.get(arg);
  if (name === 'Fn::GetAtt' && Array.isArray(arg) && arg[1] === 'Arn') {
    const bucket = ctx.bucketNames.get(String(arg[0]));
    return bucket ? `arn:${ctx.partition}:s3:::${bucket}` : undefined;
  }
  if (name === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string') {
    const parts = resolve(arg[1], ctx);
    if (!parts.known || !Array.isArray(parts.value)) return undefined;
    return parts.value.every((p) => typeof p === 'string') ? parts.value.join(arg[0]) : undefined;
  }
  if (name === 'Fn::Sub' && typeof arg === 'string') {
    let unknown = false;
    const out = arg.replace(/\$\{([^}!]+)\}/g, (_, v: string) => {
      const r = resolveIntrinsic(
        v.includes('.') ? 'Fn::GetAtt' : 'Ref',
        v.includes('.') ? v.split('.') : v,
        ctx,
      );
      if (typeof r !== 'string') unknown = true;
      return typeof r === 'string' ? r : '';
    });
    return unknown ? undefined : out.replace(/\$\{!/g, '${');
  }
  return undefined;
}

/** Resolves a value fully, or says which part is not known before deploy. */
export function resolve(value: unknown, ctx: ResolveContext): Resolved {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const r = resolve(item, ctx);
      if (!r.known) return r;
      out.push(r.value);
    }
    return { known: true, value: out };
  }
  if (value !== null && typeof value === 'object') {
    const name = intrinsicName(value as Record<string, unknown>);
    if (name) {
      const r = resolveIntrinsic(name, (value as Record<string, unknown>)[name], ctx);
      return r === undefined
        ? { known: false, expression: expressionText(value) }
        : { known: true, value: r };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const r = resolve(v, ctx);
      if (!r.known) return r;
      out[k] = r.value;
    }
    return { known: true, value: out };
  }
  // CloudFormation passes booleans and numbers as strings too ("true", "2557").
  return { known: true, value };
}

import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { OrganizationsClient } from '@aws-sdk/client-organizations';

export interface AwsOptions {
  /** A named profile; otherwise the default credential chain (AWS_PROFILE, env, SSO, instance role…). */
  profile?: string;
  /** A custom endpoint, e.g. an emulator; otherwise AWS_ENDPOINT_URL or the real service. */
  endpoint?: string;
  maxAttempts?: number;
  /** Time to establish a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** Time for a whole request, once sent (default 30 s). Without it, an endpoint that never answers hangs forever. */
  requestTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Counts SDK commands by name (not retries): how many calls a sweep costs. */
export class CallCounter {
  readonly byOperation = new Map<string, number>();
  total(filter: (operation: string) => boolean = () => true): number {
    let n = 0;
    for (const [op, count] of this.byOperation) if (filter(op)) n += count;
    return n;
  }
  record(operation: string): void {
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }
}

export const isWrite = (operation: string) =>
  /^(Put|Start|Stop|Update|Create|Delete|Add|Remove)/.test(operation.replace(/Command$/, ''));

type Client = { middlewareStack: unknown };

type Next = (args: unknown) => Promise<unknown>;
interface Stack {
  add(
    middleware: (next: Next, context: { commandName?: string }) => Next,
    options: { step: 'initialize'; name: string },
  ): void;
}

function instrument<C extends Client>(client: C, counter: CallCounter | undefined): C {
  if (counter) {
    (client.middlewareStack as unknown as Stack).add(
      (next, context) => async (args) => {
        counter.record(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: 'trailwardenCallCounter' },
    );
  }
  return client;
}

/** One CloudTrail client per Region, created on first use, with the SDK's adaptive retry mode. */
export class AwsClients {
  private readonly cloudtrail = new Map<string, CloudTrailClient>();
  private orgs: OrganizationsClient | undefined;
  constructor(
    private readonly options: AwsOptions = {},
    readonly counter?: CallCounter,
  ) {}

  /** The client settings for a Region, for any AWS service client. */
  config(region: string) {
    return {
      region,
      retryMode: 'adaptive',
      maxAttempts: this.options.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        requestTimeout: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        // Otherwise the SDK only logs a warning when the request timeout passes, and keeps waiting.
        throwOnRequestTimeout: true,
      },
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      ...(this.options.profile ? { profile: this.options.profile } : {}),
    };
  }

  /** Where requests go: the custom endpoint, or the service's own in that Region. */
  endpointFor(service: string, region: string): string {
    return this.options.endpoint ?? `https://${service}.${region}.amazonaws.com`;
  }

  /** Organizations is global: one client serves every Region. */
  organizations(region: string): OrganizationsClient {
    if (!this.orgs) this.orgs = instrument(new OrganizationsClient(this.config(region)), this.counter);
    return this.orgs;
  }

  cloudTrail(region: string): CloudTrailClient {
    let client = this.cloudtrail.get(region);
    if (!client) {
      client = instrument(new CloudTrailClient(this.config(region)), this.counter);
      this.cloudtrail.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const c of this.cloudtrail.values()) c.destroy();
    this.orgs?.destroy();
  }
}

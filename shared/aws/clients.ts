import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { OrganizationsClient } from '@aws-sdk/client-organizations';

/** Credentials as the SDK's clients take them: called again when the ones it has are about to expire. */
export type CredentialProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}>;

export interface AwsOptions {
  /** A named profile; otherwise the default credential chain (AWS_PROFILE, env, SSO, instance role…). */
  profile?: string;
  /** Credentials for another account (an assumed member role); they take the place of the profile. */
  credentials?: CredentialProvider;
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

/** Told the name of every command the clients send (e.g. a call counter for benchmarks). */
export interface CallRecorder {
  record(operation: string): void;
}

type Client = { middlewareStack: unknown };

type Next = (args: unknown) => Promise<unknown>;
interface Stack {
  add(
    middleware: (next: Next, context: { commandName?: string }) => Next,
    options: { step: 'initialize'; name: string },
  ): void;
}

/** Adds the call counter, if any, to a client of any AWS service. */
export function instrument<C extends Client>(client: C, counter: CallRecorder | undefined): C {
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
  /** Organizations is global: one client per set of credentials serves every Region. */
  private orgs: OrganizationsClient | undefined;
  /** Clients that act in other accounts through a member role, by account id. */
  private readonly members = new Map<string, AwsClients>();
  /** Clients of other services made with these settings, ended with these. */
  private readonly others: { destroy(): void }[] = [];
  constructor(
    private readonly options: AwsOptions = {},
    readonly counter?: CallRecorder,
  ) {}

  /** The client settings for a Region, for any AWS service client. */
  config(region: string): {
    region: string;
    retryMode: string;
    maxAttempts: number;
    requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
    endpoint?: string;
    profile?: string;
    credentials?: CredentialProvider;
  } {
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
      ...(this.options.credentials
        ? { credentials: this.options.credentials }
        : this.options.profile
          ? { profile: this.options.profile }
          : {}),
    };
  }

  /** Where requests go: the custom endpoint, or the service's own in that Region. */
  endpointFor(service: string, region: string): string {
    return this.options.endpoint ?? `https://${service}.${region}.amazonaws.com`;
  }

  /** The Organizations client acting with these credentials (created on first use). */
  organizations(region: string): OrganizationsClient {
    if (!this.orgs) this.orgs = instrument(new OrganizationsClient(this.config(region)), this.counter);
    return this.orgs;
  }

  /**
   * Clients for another account, acting with the given credentials (its member role), with the same
   * endpoint, retries and call counter; kept so that `forAccount` finds them and `destroy` ends them.
   */
  inAccount(account: string, credentials: CredentialProvider): AwsClients {
    const { profile: _, ...rest } = this.options;
    const clients = new AwsClients({ ...rest, credentials }, this.counter);
    this.members.get(account)?.destroy();
    this.members.set(account, clients);
    return clients;
  }

  /** Keeps a client of another service (made from `config`) counted and ended with these. */
  adopt<C extends Client & { destroy(): void }>(client: C): C {
    this.others.push(client);
    return instrument(client, this.counter);
  }

  /** The clients that act in `account`: its member role's, or these (the caller's own account). */
  forAccount(account: string): AwsClients {
    return this.members.get(account) ?? this;
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
    for (const m of this.members.values()) m.destroy();
    for (const c of this.others.splice(0)) c.destroy();
  }
}

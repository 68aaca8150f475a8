import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';

export interface AwsOptions {
  /** A named profile; otherwise the default credential chain (AWS_PROFILE, env, SSO, instance role…). */
  profile?: string;
  /** A custom endpoint, e.g. an emulator; otherwise AWS_ENDPOINT_URL or the real service. */
  endpoint?: string;
  maxAttempts?: number;
}

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

function instrument<C extends Client>(client: C, counter: CallRecorder | undefined): C {
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
  constructor(
    private readonly options: AwsOptions = {},
    readonly counter?: CallRecorder,
  ) {}

  /** The client settings for a Region, for any AWS service client. */
  config(region: string) {
    return {
      region,
      retryMode: 'adaptive',
      maxAttempts: this.options.maxAttempts ?? 3,
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      ...(this.options.profile ? { profile: this.options.profile } : {}),
    };
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
  }
}

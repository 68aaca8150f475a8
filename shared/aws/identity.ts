import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from './clients.js';
import { EndpointError, translateAwsError } from './errors.js';

export interface CallerIdentity {
  readonly account: string;
  /** The partition of the caller's ARN (aws, aws-us-gov, aws-cn…): member role ARNs are built in it. */
  readonly partition: string;
  readonly arn: string;
}

/** Who the credentials belong to (the CLI; Lambda functions read their account from their context). */
export async function callerIdentity(clients: AwsClients, region: string): Promise<CallerIdentity> {
  const sts = new STSClient(clients.config(region));
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (clients.counter) clients.counter.record('GetCallerIdentity');
    const arn = identity.Arn ?? '';
    return { account: identity.Account as string, partition: arn.split(':')[1] || 'aws', arn };
  } catch (error) {
    const e = translateAwsError(error, 'GetCallerIdentity');
    // The first call of a run: when the endpoint is unreachable, say which one.
    if (e instanceof EndpointError) e.endpoint = clients.endpointFor('sts', region);
    throw e;
  } finally {
    sts.destroy();
  }
}

/** The account the credentials belong to. */
export async function callerAccount(clients: AwsClients, region: string): Promise<string> {
  return (await callerIdentity(clients, region)).account;
}

import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from './clients.js';
import { EndpointError, translateAwsError } from './errors.js';

/** The account the credentials belong to (the CLI; Lambda functions read it from their context). */
export async function callerAccount(clients: AwsClients, region: string): Promise<string> {
  const sts = new STSClient(clients.config(region));
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (clients.counter) clients.counter.record('GetCallerIdentity');
    return identity.Account as string;
  } catch (error) {
    const e = translateAwsError(error, 'GetCallerIdentity');
    // The first call of a run: when the endpoint is unreachable, say which one.
    if (e instanceof EndpointError) e.endpoint = clients.endpointFor('sts', region);
    throw e;
  } finally {
    sts.destroy();
  }
}

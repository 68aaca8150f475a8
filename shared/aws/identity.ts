import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from './clients.js';
import { translateAwsError } from './errors.js';

/** The account the credentials belong to (the CLI; Lambda functions read it from their context). */
export async function callerAccount(clients: AwsClients, region: string): Promise<string> {
  const sts = new STSClient(clients.config(region));
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (clients.counter) clients.counter.record('GetCallerIdentity');
    return identity.Account as string;
  } catch (error) {
    throw translateAwsError(error, 'GetCallerIdentity');
  } finally {
    sts.destroy();
  }
}

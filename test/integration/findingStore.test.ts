import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { notificationStore } from '../../shared/app/store.js';
import { TABLE_KEY_SCHEMA } from '../../shared/state/findingStore.js';
import { storeContract } from '../state/contract.js';
import { oneRequestAtATime, REGION, sdk } from './seed.js';

const endpoint = inject('motoEndpoint');
let n = 0;

storeContract('DynamoDB store (moto)', async () => {
  sdk(endpoint);
  const ddb = oneRequestAtATime(new DynamoDBClient({ region: REGION, endpoint }));
  const table = `contract-${++n}`;
  await ddb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...TABLE_KEY_SCHEMA.AttributeDefinitions],
      KeySchema: [...TABLE_KEY_SCHEMA.KeySchema],
    }),
  );
  return notificationStore(ddb, table);
});

import { MemoryStore } from '../app/memoryStore.js';
import { storeContract } from './contract.js';

storeContract('memory store (unit tests)', async () => new MemoryStore());

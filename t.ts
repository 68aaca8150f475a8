import { seedDriftedAccount } from './test/integration/seed.js';

await seedDriftedAccount('http://127.0.0.1:5057');

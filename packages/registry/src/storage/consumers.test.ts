import { describeConsumerStoreContract } from '@modmesh/registry-test-utils';
import { createMemoryConsumerStore } from './consumers.js';

describeConsumerStoreContract('memory', async () => ({ consumers: createMemoryConsumerStore(), cleanup: async () => {} }));

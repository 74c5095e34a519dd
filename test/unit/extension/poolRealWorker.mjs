// Bootstrap for poolJobs.test.ts: runs the real worker entry (src/extension/worker.ts) through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../../../src/extension/worker.ts');

// Bootstrap for the pool tests: a worker entry must be .js/.mjs, so register tsx and load the TypeScript worker.
import { register } from 'tsx/esm/api';
register();
await import('./poolTestWorker.ts');

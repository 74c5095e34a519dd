// Bootstrap for collective.test.ts: a worker entry must be .js/.mjs, so register tsx and load the TypeScript worker.
import { register } from 'tsx/esm/api';
register();
await import('./collectiveWorker.ts');

// Entry of dist/worker.js: serves the pool's jobs. Kernels and readers only; no vscode import.
import { parentPort } from 'node:worker_threads';
import { handlers } from './jobs/index';
import { serveJobs } from './workerRuntime';

if (!parentPort) throw new Error('dist/worker.js is a worker_threads script; it is started by the NormLab worker pool');
serveJobs(parentPort, handlers);

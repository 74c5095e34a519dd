// The `normlab` command line: one process, one command, clear errors (exit 2, one line, no stack trace).
import { UsageError } from './args';
import { HELP } from './help';
import { runInspect } from './inspect';
import { runNormalize, runStats } from './normalizeCommand';
import { runTrain } from './trainCommand';
import { runExperiment } from './experimentCommand';
import { NnError } from '../nn/errors';
import { NormError } from '../kernels';
import { FormatError } from '../formats/errors';

declare const NORMLAB_VERSION: string | undefined;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s);
  if (!command || command === '--help' || command === '-h' || command === 'help' || rest.includes('--help') || rest.includes('-h')) {
    out(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    out(`${typeof NORMLAB_VERSION === 'string' ? NORMLAB_VERSION : 'dev'}\n`);
    return 0;
  }
  switch (command) {
    case 'normalize':
      await runNormalize(rest);
      return 0;
    case 'stats':
      await runStats(rest, out);
      return 0;
    case 'train':
      return runTrain(rest, { stdout: out, stderr: (s) => process.stderr.write(s), tty: process.stderr.isTTY === true });
    case 'experiment':
      return runExperiment(rest, { stdout: out, stderr: (s) => process.stderr.write(s) }, `normlab ${typeof NORMLAB_VERSION === 'string' ? NORMLAB_VERSION : 'dev'}`);
    case 'inspect':
      await runInspect(rest, { stdout: out });
      return 0;
    default:
      throw new UsageError(`unknown command '${command}' (expected normalize, stats, train, experiment or inspect; see normlab --help)`);
  }
}

// `normlab inspect big.pt | head`: a reader that closed the pipe wants no more output; end quietly, no stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const known = e instanceof UsageError || e instanceof NormError || e instanceof FormatError || e instanceof NnError;
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`normlab: ${known ? msg : `internal error: ${msg}`}\n`);
    if (process.env.NORMLAB_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = known ? 2 : 1;
  },
);

// Errors of the training engine. Bad specs, labels, orders and a loss that turns NaN are NnErrors: the
// message says what was expected and what was found, and the CLI prints it as one `normlab: ` line.
export class NnError extends Error {
  override readonly name = 'NnError';
}

export function nnFail(message: string): never {
  throw new NnError(message);
}

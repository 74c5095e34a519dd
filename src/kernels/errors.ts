/** A user-facing error: the message says what was expected and what was found. Never carries a stack to the user. */
export class NormError extends Error {
  override readonly name = 'NormError';
}

export function fail(message: string): never {
  throw new NormError(message);
}

export const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

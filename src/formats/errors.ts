/** Error raised by a tensor file reader: says what was expected and what was found in the file. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** Raised when an AbortSignal stops a read; a FormatError so callers that catch file errors also catch it. */
export class CancelledError extends FormatError {
  override name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/**
 * A tensor (or the part of it asked for) needs more memory than the caller's limit (normlab.maxTensorBytes), or
 * more work than its stored bytes justify. A FormatError, so every catch of file errors still catches it.
 */
export class TooLargeError extends FormatError {
  override name = 'TooLargeError';
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Default limit for one tensor's bytes in memory (matches the normlab.maxTensorBytes default). */
export const DEFAULT_MAX_BYTES = 1 << 30;
/** Default limit for a header/index read whole (safetensors JSON, npy header, pickle, zip directory). */
export const DEFAULT_MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** A byte count for people: the project's one formatter (error messages and the tensor table alike). */
export function fmtBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

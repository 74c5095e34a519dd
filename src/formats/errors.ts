/** Error raised by a tensor file reader: says what was expected and what was found in the file. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

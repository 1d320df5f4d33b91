/** A price file that cannot be used: unreadable, not JSON, or a field of the wrong kind. Names the file and the field. */
export class PriceFileError extends Error {
  override name = 'PriceFileError';
}

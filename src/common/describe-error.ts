/** A short, loggable account of a caught value (never sent to a client). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    // fetch's AbortSignal.timeout() rejects with a TimeoutError whose message says little.
    return error.name === 'TimeoutError' ? 'timed out' : error.message;
  }
  return String(error);
}

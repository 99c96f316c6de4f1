import { NotFoundException } from '@nestjs/common';

/** A miss becomes the contract's 404 (a row of another product is a miss too: the filter never finds it). */
export function orNotFound<T>(value: T | null | undefined, message: string): T {
  if (value === null || value === undefined) {
    throw new NotFoundException(message);
  }
  return value;
}

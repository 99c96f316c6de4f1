import { Transform } from 'class-transformer';
import { Matches, ValidateIf } from 'class-validator';

// A required text field must say something: whitespace alone is rejected like an empty string.
export const NotBlank = (): PropertyDecorator => Matches(/\S/, { message: '$property must not be blank' });

// Omitted is fine, but an explicit null would reach a NOT NULL column: validate it (and fail).
export const IfPresent = (): PropertyDecorator => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

// Query strings carry text: `?published=true` becomes a boolean, anything else stays as sent (and fails @IsBoolean).
export const BooleanQuery = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

/** Validated DTO instances carry every declared field, the omitted ones as undefined: keep only what was sent. */
export function definedOnly<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}

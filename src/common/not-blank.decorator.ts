import { Matches } from 'class-validator';

// A required text field must say something: whitespace alone is rejected like an empty string.
export const NotBlank = (): PropertyDecorator => Matches(/\S/, { message: '$property must not be blank' });

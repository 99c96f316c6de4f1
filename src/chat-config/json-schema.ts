import type Ajv from 'ajv';
import { registerDecorator, type ValidationArguments } from 'class-validator';
import { describeError } from '../common/describe-error';
import { newAjv } from '../common/lazy-ajv';

// One instance: a new Ajv compiles its meta-schemas again, tens of ms per check (the seed checks every tool).
// Made on first use (see newAjv).
let instance: Ajv | undefined;
const schemaChecker = (): Ajv => (instance ??= newAjv({ strict: true, logger: false }));

/** Why `value` is not usable as a tool's parameters schema, or undefined when it is. */
export function toolParametersProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON Schema object';
  }
  // Function-calling models pass a tool one object of named arguments.
  if ((value as { type?: unknown }).type !== 'object') {
    return 'must have "type": "object" at the top level (a tool takes an object of arguments)';
  }
  const checker = schemaChecker();
  try {
    checker.compile(value);
  } catch (error) {
    return `is not a valid JSON Schema: ${describeError(error)}`;
  } finally {
    // Ajv caches every compiled schema, and these come from requests (and seed files): keep none.
    checker.removeSchema();
  }
  return undefined;
}

export function IsToolParametersSchema(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isToolParametersSchema',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => toolParametersProblem(value) === undefined,
        defaultMessage: ({ property, value }: ValidationArguments) => `${property} ${toolParametersProblem(value)}`,
      },
    });
  };
}

import type Ajv from 'ajv';
import type { Options } from 'ajv';

/**
 * A new Ajv (with ajv-formats), its packages loaded on first use: ~70 ms of loading that a start does
 * not need (JSON Schemas are checked when a tool is written or called, and by a first seed).
 * require, not import(): these modules also run under Jest, which transforms them to CommonJS.
 */
export function newAjv(options: Options): Ajv {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return addFormats(new AjvClass(options));
}

import type { NextFunction, Request, Response } from 'express';
import { httpErrorBody } from './http-error';
import { requestIdOf } from './request-id';

/** Deeper JSON than any route takes; checked before class-transformer recurses into it. */
export const MAX_INPUT_DEPTH = 32;

// NUL cannot be stored in PostgreSQL text or jsonb; an unpaired UTF-16 surrogate cannot be encoded as UTF-8.

const HAS_LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(HAS_LONE_SURROGATE.source, 'g');

export function hasUnstorableText(text: string): boolean {
  return text.includes('\u0000') || HAS_LONE_SURROGATE.test(text);
}

/** What is wrong with a parsed body or query, or undefined; iterative, so no input can overflow the stack. */
export function inputProblem(value: unknown, checkText = true): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current === 'string') {
      if (checkText && hasUnstorableText(current)) {
        return 'Text must not contain NUL characters or unpaired UTF-16 surrogates';
      }
    } else if (typeof current === 'object' && current !== null) {
      if (depth >= MAX_INPUT_DEPTH) {
        return `Input is nested deeper than ${MAX_INPUT_DEPTH} levels`;
      }
      for (const [key, item] of Object.entries(current)) {
        if (checkText && hasUnstorableText(key)) {
          return 'Text must not contain NUL characters or unpaired UTF-16 surrogates';
        }
        stack.push([item, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * One check for every route, after the body parsers: text PostgreSQL cannot store, and nesting
 * deep enough to overflow the validation pipe's recursion, are a 400 before any handler runs.
 * (Signed webhook bodies are raw bytes here; the webhook service cleans those itself.)
 */
export function rejectUnstorableInput(request: Request, response: Response, next: NextFunction): void {
  const problem = inputProblem(request.query) ?? (Buffer.isBuffer(request.body) ? undefined : inputProblem(request.body));
  if (problem) {
    response.status(400).json(httpErrorBody(400, problem, requestIdOf(request)));
    return;
  }
  next();
}

/** A copy of a JSON value (no deeper than MAX_INPUT_DEPTH) with NUL removed and unpaired surrogates replaced by U+FFFD. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\ufffd');
  }
  if (Array.isArray(value)) {
    return value.map(storableJson);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableJson(key) as string, storableJson(item)]));
  }
  return value;
}

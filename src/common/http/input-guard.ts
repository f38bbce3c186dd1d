import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { ErrorCode } from '../problem/error-codes';
import { FieldError, ProblemError } from '../problem/problem.error';
import { problemBody } from '../problem/problem.filter';

/**
 * Bounds every DTO stays inside. class-transformer and class-validator recurse without limit, so a body
 * of 5,000 nested arrays overflowed the stack (a 500 on unauthenticated routes); the bounds sit above
 * the largest field (100,000 characters) and list (10,000 ids) any DTO accepts, so a DTO's own limit
 * (e.g. 413 batch_too_large) still answers first for inputs that are merely too big.
 */
export const INPUT_LIMITS = { depth: 32, stringLength: 200_000, arrayLength: 100_000, objectKeys: 1_000 };

// PostgreSQL text cannot hold NUL (22021 at INSERT), and an unpaired surrogate cannot be encoded as UTF-8:
// both are refused at the door so no route meets them half-way through a transaction.
const BAD_CHARACTERS = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface InputFault {
  code: Extract<ErrorCode, 'input_too_deep' | 'input_too_large' | 'invalid_characters'>;
  field: string;
  message: string;
}

const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** The first fault in a parsed value, walking it without recursion so the check itself cannot overflow. */
export function findInputFault(root: unknown, limits = INPUT_LIMITS): InputFault | null {
  const stack: [unknown, string, number][] = [[root, '', 0]];
  while (stack.length) {
    const [value, path, depth] = stack.pop()!;
    const field = path || '(body)';
    if (typeof value === 'string') {
      if (value.length > limits.stringLength)
        return { code: 'input_too_large', field, message: `${field} is longer than ${limits.stringLength} characters` };
      if (BAD_CHARACTERS.test(value))
        return { code: 'invalid_characters', field, message: `${field} contains a NUL or an unpaired surrogate` };
      continue;
    }
    // Raw bodies (signed routes) are bytes, checked by the route that verifies them; a streamed upload is read
    // and checked by its route.
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof Readable) continue;
    if (depth >= limits.depth)
      return { code: 'input_too_deep', field, message: `nested deeper than ${limits.depth} levels` };
    if (Array.isArray(value)) {
      if (value.length > limits.arrayLength)
        return { code: 'input_too_large', field, message: `${field} has more than ${limits.arrayLength} items` };
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], at(path, i), depth + 1]);
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.objectKeys)
      return { code: 'input_too_large', field, message: `${field} has more than ${limits.objectKeys} properties` };
    for (const key of keys) {
      if (BAD_CHARACTERS.test(key) || key.length > 200)
        return { code: 'invalid_characters', field: at(path, '(name)'), message: 'a property name is not allowed' };
      stack.push([(value as Record<string, unknown>)[key], at(path, key), depth + 1]);
    }
  }
  return null;
}

const DETAIL: Record<InputFault['code'], string> = {
  input_too_deep: `The request body is nested deeper than ${INPUT_LIMITS.depth} levels.`,
  input_too_large: 'A value in the request is larger than any field accepts.',
  invalid_characters: 'A value contains a NUL character or an unpaired surrogate.',
};

/**
 * Runs after parsing and before any handler, pipe or transformer, on every route: body, query string
 * and path parameters. Answers the problem itself, so nothing downstream sees the input.
 */
export function registerInputGuard(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (req, reply) => {
    const fault =
      findInputFault(req.params, { ...INPUT_LIMITS, depth: 2 }) ??
      findInputFault(req.query, { ...INPUT_LIMITS, depth: 3 }) ??
      findInputFault(req.body);
    if (!fault) return;
    const errors: FieldError[] = [{ field: fault.field, message: fault.message }];
    const problem = new ProblemError(fault.code, DETAIL[fault.code], { errors });
    const body = problemBody(problem, String(req.id));
    return reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  });
}

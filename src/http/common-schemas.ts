import { z } from '@hono/zod-openapi'
import { decodeCursor } from '../core/cursor'
import { problemCodes } from './problem-codes'

/** Schemas shared by every router: the problem body, pagination, and the error responses. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(problemCodes as [string, ...string[]]),
    instance: z.string(),
    requestId: z.string(),
    errors: z
      .array(z.object({ in: z.enum(['body', 'query', 'path', 'header']), path: z.string(), message: z.string() }))
      .optional(),
  })
  .openapi('Problem')

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
})

/** The error responses a route can give, by status; spread into a route's `responses`. */
export const problems = {
  400: problem('Invalid request (`validation_failed`, `malformed_json`, `idempotency_key_*`)'),
  401: problem('No valid credential (`unauthenticated`, `invalid_credentials`, `mfa_required`)'),
  402: problem('The payment was declined (`payment_declined`)'),
  403: problem('Not allowed (`forbidden`, `account_frozen`)'),
  404: problem('Not found, or not yours'),
  409: problem('Conflict with the current state'),
  413: problem('Body over 64 KiB'),
  415: problem('Body is not JSON'),
  422: problem('`idempotency_key_reused`'),
  429: problem('Over a rate limit (`rate_limited`); see `Retry-After`'),
  503: problem('A dependency is unavailable; retry later (`payments_unavailable`)'),
} as const

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size, at most 100' }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .refine((c) => c === undefined || decodeCursor(c) !== undefined, 'not a cursor this API issued')
    .openapi({ description: 'The `nextCursor` of the previous page' }),
})

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() })

/** A JSON response's content, for a route's `responses`: `{ description, ...json(Schema) }`. */
export const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

/** JSON bodies: required, and every route's schema is strict (unknown fields are refused). */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})

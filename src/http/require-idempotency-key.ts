import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { Problem } from './problem'

/**
 * The `Idempotency-Key` header as a required parameter, for the `parameters` of a route that
 * mounts `requireIdempotencyKey()`, so the document says what the route enforces.
 */
export const requiredIdempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'Required here: without it the answer is 400 `idempotency_key_missing`. A UUID per attempt; a retry with the same key and body returns the first response with `Idempotent-Replayed: true`. 1–255 visible ASCII characters; kept at least 24 h per caller.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
} as const

/**
 * Route option for POSTs that must never run twice by accident (checkout, payouts): without an
 * `Idempotency-Key` they answer 400 `idempotency_key_missing`. Mount in the route's `middleware`, and
 * declare `requiredIdempotencyKeyParameter` in its `parameters`.
 */
export const requireIdempotencyKey = () =>
  createMiddleware<AppEnv>(async function requireIdempotencyKey(c, next) {
    if (c.req.header('Idempotency-Key') === undefined) {
      throw new Problem(400, 'idempotency_key_missing', 'Send an Idempotency-Key header (a UUID per attempt)')
    }
    await next()
  })

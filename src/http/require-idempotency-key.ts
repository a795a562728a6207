import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { Problem } from './problem'

/**
 * Route option for POSTs that must never run twice by accident (checkout, payouts): without an
 * `Idempotency-Key` they answer 400 `idempotency_key_missing`. Mount in the route's `middleware`.
 */
export const requireIdempotencyKey = () =>
  createMiddleware<AppEnv>(async function requireIdempotencyKey(c, next) {
    if (c.req.header('Idempotency-Key') === undefined) {
      throw new Problem(400, 'idempotency_key_missing', 'Send an Idempotency-Key header (a UUID per attempt)')
    }
    await next()
  })

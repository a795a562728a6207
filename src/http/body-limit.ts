import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { Problem } from './problem'

export const MAX_BODY_BYTES = 64 * 1024

/** A route that takes a larger body than MAX_BODY_BYTES (a listing photo): its method, path and limit. */
export type LargerBody = { method: string; path: RegExp; maxSize: number }

const limitOf = (maxSize: number) =>
  honoBodyLimit({
    maxSize,
    onError: () => {
      throw new Problem(413, 'payload_too_large', `The body must be at most ${maxSize} bytes`)
    },
  })

/**
 * Refuses bodies over 64 KiB (or a `larger` route's own limit) with 413 `payload_too_large`, by
 * `Content-Length` when declared and by counting the stream when not, before anything reads or
 * stores them.
 */
export const bodyLimit = (maxSize = MAX_BODY_BYTES, larger: readonly LargerBody[] = []) => {
  const base = limitOf(maxSize)
  const wider = larger.map((l) => ({ ...l, limit: limitOf(l.maxSize) }))
  if (wider.length === 0) return base
  return createMiddleware<AppEnv>(async function bodyLimit(c, next) {
    const route = wider.find((l) => l.method === c.req.method && l.path.test(c.req.path))
    return (route?.limit ?? base)(c, next)
  })
}

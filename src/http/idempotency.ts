import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { callerKey } from '../accounts/principal'
import { sha256Hex } from '../core/bytes'
import type { AppEnv } from '../env'
import { shouldKeep } from '../idempotency/idempotency-record'
import { deriveKeys, fingerprint, seal, unseal, type StoredResponse } from '../idempotency/response-seal'
import { randomBytes } from '../platform/runtime'
import { clientIpSubject } from './client-ip'
import { Problem } from './problem'

const HEADER = 'Idempotency-Key'
const validKey = /^[\x21-\x7e]{1,255}$/
/** The response headers a replay repeats; the rest (request id, rate limits) describe the replay. */
const replayedHeaders = new Set(['content-type', 'location', 'etag'])

/**
 * Idempotency for every POST (IETF Idempotency-Key draft, Stripe semantics). The first request
 * with a key runs and its response is kept; a repeat with the same body gets that response again
 * with `Idempotent-Replayed: true` and runs nothing; a different body is 422
 * `idempotency_key_reused`; a repeat while the first still runs is 409
 * `idempotency_request_in_progress`. Keys are scoped to the caller.
 */
export const idempotency = () =>
  createMiddleware<AppEnv>(async function idempotency(c, next) {
    const key = c.req.header(HEADER)
    if (c.req.method !== 'POST' || key === undefined) return next()
    if (!validKey.test(key)) throw new Problem(400, 'idempotency_key_invalid')

    const scope = await callerScope(c)
    const keys = await deriveKeys(key, scope)
    const body = new Uint8Array(await c.req.arrayBuffer())
    const print = await fingerprint(keys, c.req.method, c.req.path, body)
    const record = c.env.IDEMPOTENCY.get(c.env.IDEMPOTENCY.idFromName(await sha256Hex(`${scope}\n${key}`)))
    const { leaseMs, ttlMs } = c.var.settings.idempotency
    const outcome = await record.begin(print, { leaseMs, ttlMs })

    switch (outcome.kind) {
      case 'mismatch':
        throw new Problem(422, 'idempotency_key_reused', 'This key was first used with a different method, path or body')
      case 'in_progress':
        throw new Problem(409, 'idempotency_request_in_progress', undefined, {
          headers: { 'Retry-After': String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))) },
        })
      case 'replay': {
        const stored = await unseal(keys, outcome.response)
        if (!stored) throw new Error('idempotency record does not open with its own key')
        c.res = replay(stored)
        return
      }
      case 'proceed':
        break
    }

    await next()
    if (!shouldKeep(c.res.status)) {
      await record.abandon(outcome.lease)
      return
    }
    const sealed = await seal(keys, await capture(c.res), randomBytes(12))
    if (!(await record.complete(outcome.lease, sealed))) {
      c.var.log.warn('idempotency_lease_lost', { status: c.res.status })
    }
  })

/** Idempotency keys belong to the caller; anonymous callers (register, login) to their IP. */
async function callerScope(c: Context<AppEnv>): Promise<string> {
  const p = c.var.principal
  return p ? callerKey(p) : `anon:${await clientIpSubject(c)}`
}

async function capture(res: Response): Promise<StoredResponse> {
  const headers = [...res.headers].filter(([name]) => replayedHeaders.has(name.toLowerCase()))
  return { status: res.status, headers, body: await res.clone().text() }
}

function replay(stored: StoredResponse): Response {
  const res = new Response(stored.status === 204 ? null : stored.body, { status: stored.status, headers: stored.headers })
  res.headers.set('Idempotent-Replayed', 'true')
  return res
}


import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { callerKey } from '../accounts/principal'
import { sha256Hex } from '../core/bytes'
import { isOverloaded, isTransient } from '../core/transient-error'
import type { AppEnv } from '../env'
import type { IdempotencyObject } from '../idempotency/idempotency-object'
import { shouldKeep, type BeginOutcome } from '../idempotency/idempotency-record'
import { deriveKeys, fingerprint, seal, unseal, type StoredResponse } from '../idempotency/response-seal'
import { retryTransient } from '../platform/retry-transient'
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
 * `idempotency_request_in_progress`. A key belongs to the credential that sent it (its records
 * live in the caller's object): a replay skips the route, and with it the route's authorization,
 * so it must never reach a credential other than the one that was authorized the first time.
 *
 * Under load the key's object may fail transiently (core/transient-error.ts). Each call to it is
 * safe to repeat, so each is retried briefly (never when overloaded). A `begin` that still fails
 * answers 503 `service_unavailable` through the renderer, with nothing run and the key left free.
 * Once the route has answered, the answer stands: if storing or freeing the key still fails, that
 * is logged and the client gets the answer anyway; the key stays in flight until its lease ends,
 * after which a retry runs the operation again, which every Souk POST tolerates.
 */
export const idempotency = () =>
  createMiddleware<AppEnv>(async function idempotency(c, next) {
    const key = c.req.header(HEADER)
    if (c.req.method !== 'POST' || key === undefined) return next()
    if (!validKey.test(key)) throw new Problem(400, 'idempotency_key_invalid')

    const scope = await callerScope(c)
    const holder = `${scope}|${keyHolder(c)}`
    const keys = await deriveKeys(key, holder)
    const body = new Uint8Array(await c.req.arrayBuffer())
    const print = await fingerprint(keys, c.req.method, c.req.path, body)
    const record = keyRecord(c.env.IDEMPOTENCY.get(c.env.IDEMPOTENCY.idFromName(scope)), await sha256Hex(`${holder}|${key}`))
    const { leaseMs, ttlMs } = c.var.settings.idempotency
    const lease = crypto.randomUUID() // chosen here, so a begin whose answer was lost can be asked again
    const outcome = await beginOrFree(c, record, print, lease, { leaseMs, ttlMs })

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
      await settle(c, 'abandon', () => record.abandon(lease))
      return
    }
    const sealed = await seal(keys, await capture(c.res), randomBytes(12))
    if ((await settle(c, 'complete', () => record.complete(lease, sealed))) === false) {
      c.var.log.warn('idempotency_lease_lost', { status: c.res.status })
    }
  })

/** One key's record in its caller's object (one object per caller, a row per key). */
type RecordStub = {
  begin(print: string, lease: string, timing: { leaseMs: number; ttlMs: number }): Promise<BeginOutcome>
  complete(lease: string, sealed: string): Promise<boolean>
  abandon(lease: string): Promise<void>
}

function keyRecord(stub: DurableObjectStub<IdempotencyObject>, id: string): RecordStub {
  return {
    begin: (print, lease, timing) => stub.begin(id, print, lease, timing),
    complete: (lease, sealed) => stub.complete(id, lease, sealed),
    abandon: (lease) => stub.abandon(id, lease),
  }
}

/**
 * Claims the key, retrying transient failures with the same lease. If it still fails, a claim that
 * landed unseen may hold the key under this lease: it is freed (not when overloaded: then nothing
 * landed), so the client's retry runs instead of waiting out the lease. The error then goes on to
 * the renderer, which answers 503.
 */
async function beginOrFree(
  c: Context<AppEnv>,
  record: RecordStub,
  print: string,
  lease: string,
  timing: { leaseMs: number; ttlMs: number },
): Promise<BeginOutcome> {
  try {
    return await retryTransient(async (): Promise<BeginOutcome> => record.begin(print, lease, timing))
  } catch (err) {
    if (isTransient(err) && !isOverloaded(err)) await settle(c, 'abandon', () => record.abandon(lease))
    throw err
  }
}

/**
 * A call to the record that must not replace what the client is about to get (the route's decided
 * answer, or the 503 of a failed begin): retried briefly, and if it still fails, logged and never
 * thrown. Transient failures are load (warn); anything else is a bug (error, with its stack).
 */
async function settle<T>(c: Context<AppEnv>, step: 'complete' | 'abandon', call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await retryTransient(call)
  } catch (err) {
    const fields = { step, status: c.res.status, err }
    if (isTransient(err)) c.var.log.warn('idempotency_record_unavailable', fields)
    else c.var.log.error('idempotency_record_failed', fields)
    return undefined
  }
}

/** The object that keeps the keys: the caller's; anonymous callers' (register, login) their IP's. */
async function callerScope(c: Context<AppEnv>): Promise<string> {
  const p = c.var.principal
  return p ? callerKey(p) : `anon:${await clientIpSubject(c)}`
}

/** Whose key it is within that object: the session or API key that sent it. */
function keyHolder(c: Context<AppEnv>): string {
  const credential = c.var.principal?.credential
  return credential ? `${credential.kind}:${credential.id}` : 'anonymous'
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


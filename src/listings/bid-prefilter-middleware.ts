import { createMiddleware } from 'hono/factory'
import { currencies, isValidAmount } from '../core/money'
import type { AppEnv } from '../env'
import { Problem } from '../http/problem'
import { BidFloorCache } from './bid-floor-cache'
import { listingIdPattern } from './listing-schemas'

/** This isolate's memory of hot auctions' floors (see BidFloorCache). */
export const bidFloors = new BidFloorCache()

const bidPath = /^\/v1\/listings\/([^/]+)\/bids$/

/**
 * The edge pre-filter for hot auctions, mounted before authentication: a bid from a caller with a
 * credential, under a floor this isolate has seen, is refused here without a database or object
 * round trip (prices only rise, so it could never stand). Anything else, including every
 * malformed body and every caller without a credential, goes on to the route and its checks.
 */
export const bidPrefilter = () =>
  createMiddleware<AppEnv>(async function bidPrefilter(c, next) {
    const listingId = c.req.method === 'POST' ? bidPath.exec(c.req.path)?.[1] : undefined
    if (listingId && listingIdPattern.test(listingId) && c.req.header('authorization')) {
      const minimum = bidFloors.refuses(listingId, await offeredAmount(() => c.req.json<BidBody>()))
      if (minimum) throw new Problem(409, 'bid_too_low', undefined, { extra: { minimum }, headers: { 'Souk-Edge-Refused': '1' } })
    }
    await next()
  })

type BidBody = { maxAmount?: { amount?: unknown; currency?: unknown } } | null

/**
 * The bid's `maxAmount` if the body has a plausible one; a sentinel that refuses nothing otherwise.
 * Hono keeps the parsed body, so the route's validator does not read it twice.
 */
async function offeredAmount(body: () => Promise<BidBody>): Promise<{ amount: number; currency: (typeof currencies)[number] }> {
  const nothing = { amount: Number.MAX_SAFE_INTEGER, currency: 'USD' as const }
  try {
    const { amount, currency } = (await body())?.maxAmount ?? {}
    const known = currencies.find((x) => x === currency)
    // Only a bid the route would find valid is judged here; anything else gets the route's 400.
    return typeof amount === 'number' && isValidAmount(amount) && known ? { amount, currency: known } : nothing
  } catch (err) {
    if (err instanceof SyntaxError) return nothing // malformed JSON: the route answers it properly
    throw err
  }
}

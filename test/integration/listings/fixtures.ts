import { env } from 'cloudflare:workers'
import { formatId } from '../../../src/core/ids'
import type { CreateListing } from '../../../src/listings/listing-lifecycle'
import { listingStub } from '../../../src/listings/listing-object'

/** Fresh listing ids and objects for integration tests; every test gets its own listing. */
export const newListingId = (): string => formatId('lst', Date.now(), crypto.getRandomValues(new Uint8Array(10)))
export const newOfferId = (): string => formatId('ofr', Date.now(), crypto.getRandomValues(new Uint8Array(10)))
export const userId = (n: number | string): string => `usr_${String(n).padStart(26, '0')}`
export const SELLER = userId('seller')
export const usd = (amount: number) => ({ amount, currency: 'USD' as const })

export async function createAuction(over: Partial<NonNullable<CreateListing['auction']>> = {}, endsInMs = 3_600_000, sellerId = SELLER) {
  const id = newListingId()
  const stub = listingStub(env, id)
  const outcome = await stub.create({
    id,
    sellerId,
    title: 'Brass lamp',
    description: 'A working 1920s brass lamp',
    category: 'home',
    format: 'auction',
    currency: 'USD',
    acceptsOffers: false,
    auction: { startingBid: 1000, reservePrice: null, buyNowPrice: null, endsAt: new Date(Date.now() + endsInMs).toISOString(), ...over },
  })
  if (!outcome.ok) throw new Error(`auction fixture refused: ${JSON.stringify(outcome.rejection)}`)
  return { id, stub }
}

export async function createFixed(quantity = 1, acceptsOffers = true, price = 5000) {
  const id = newListingId()
  const stub = listingStub(env, id)
  const outcome = await stub.create({
    id,
    sellerId: SELLER,
    title: 'Hand-thrown mug',
    description: 'Stoneware',
    category: 'kitchen',
    format: 'fixed_price',
    currency: 'USD',
    acceptsOffers,
    fixed: { price, quantity },
  })
  if (!outcome.ok) throw new Error(`fixed fixture refused: ${JSON.stringify(outcome.rejection)}`)
  return { id, stub }
}

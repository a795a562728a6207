import { DurableObject } from 'cloudflare:workers'

/**
 * The single writer for one listing: price, stock, bids, offers and reservations, with its event
 * log and outbox in its own SQLite storage. Declared in wrangler.toml from the start so that its
 * migration tag never changes; the listings capability gives it its commands and alarms.
 */
export class ListingObject extends DurableObject<Env> {}

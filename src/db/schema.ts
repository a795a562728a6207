/**
 * The D1 schema. Times are ISO 8601 UTC strings (they sort as text); ids are prefixed ULIDs.
 * Child tables reference their parents without ON DELETE CASCADE: a table rebuild by a later
 * migration must never delete children (see docs/OPERATIONS.md).
 *
 * One file per area of the marketplace under src/db/schema/; this module is the whole schema, as
 * drizzle (and drizzle-kit, which generates migrations from it) sees it.
 */
export * from './schema/accounts'
export * from './schema/listings'
export * from './schema/orders'
export * from './schema/ledger'
export * from './schema/webhooks'
export * from './schema/notifications'
export * from './schema/operations'
export * from './schema/verification'
export * from './schema/risk'
export * from './schema/polls'

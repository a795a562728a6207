import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1'
import * as schema from './schema'

export type Db = DrizzleD1Database<typeof schema>

const handles = new WeakMap<D1Database, Db>()

/** The drizzle handle over a D1 binding, one per binding (so prepared statements can be reused). */
export function database(d1: D1Database): Db {
  let db = handles.get(d1)
  if (!db) {
    db = drizzle(d1, { schema })
    handles.set(d1, db)
  }
  return db
}

/** A drizzle handle without the relational schema: for query-builder reads (no `db.query`). */
export type ReadDb = DrizzleD1Database

/** A drizzle handle over one D1 session, and the session's bookmark after its last query. */
export type SessionDb = { db: ReadDb; bookmark: () => string | null }

function sessionDb(session: D1DatabaseSession): SessionDb {
  // A session offers what drizzle calls on a database (`prepare`, `batch`); its type does not say so.
  return { db: drizzle(session as unknown as D1Database), bookmark: () => session.getBookmark() }
}

/**
 * Reads of the read model behind browse and search, in a Sessions API session. Without a
 * bookmark any read replica may answer (`first-unconstrained`): the read model already trails the
 * listing objects by the projection's lag, so a replica's lag changes nothing a caller could rely
 * on, and these reads leave the primary to the writes. With the bookmark a write of the caller's
 * answered (read-your-writes, docs/LISTINGS.md), only a replica that has caught up with it, or the
 * primary. Without read replication enabled on the database the primary serves every session. One
 * session per request; no schema, so making the handle costs ~1 µs, not 25.
 */
export function readingAfter(d1: D1Database, bookmark: string | undefined): SessionDb {
  return sessionDb(d1.withSession(bookmark ?? 'first-unconstrained'))
}

/** Reads the primary first (a session for writes whose bookmark a client takes along). */
export function atPrimary(d1: D1Database): SessionDb {
  return sessionDb(d1.withSession('first-primary'))
}

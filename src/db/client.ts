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

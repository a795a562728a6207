import { and, eq, isNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { insertWhere } from '../db/guarded-insert'
import { users } from '../db/schema'
import type { PersonalData } from '../pii/pii-adapters'
import type { Standing } from './account-credentials'

/** A user row as stored: `email` is sealed (pii/pii-envelope.ts); `emailOf` reads it. */
export type UserRecord = typeof users.$inferSelect

/**
 * Creates the user, its e-mail sealed and indexed: the unique index on `email_index` decides a race
 * between two registrations of one address, and a row from before the index (its address still
 * plaintext, until the rotation script reaches it) counts too. One statement.
 */
export async function registerUser(db: Db, pd: PersonalData, user: Omit<typeof users.$inferInsert, 'emailIndex'>): Promise<'created' | 'email_taken'> {
  const [email, emailIndex] = await Promise.all([pd.seal('users.email', user.id, user.email), pd.emailIndex(user.email)])
  const unindexedTwin = sql`NOT EXISTS (SELECT 1 FROM ${users} WHERE ${users.email} = ${user.email})`
  const inserted = await insertWhere(db, users, { ...user, email, emailIndex }, unindexedTwin).returning({ id: users.id })
  return inserted.length === 1 ? 'created' : 'email_taken'
}

/** The user with this (normalized) e-mail: by its blind index, or, in a row not yet indexed, by the plaintext address it still holds. */
export async function findUserByEmail(db: Db, pd: PersonalData, email: string): Promise<UserRecord | undefined> {
  const index = await pd.emailIndex(email)
  return db
    .select()
    .from(users)
    .where(or(eq(users.emailIndex, index), and(isNull(users.emailIndex), eq(users.email, email))))
    .get()
}

export async function findUserById(db: Db, id: string): Promise<UserRecord | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get()
}

/** The user's e-mail address, opened (the `erased:` marker of an erased row as it is). */
export const emailOf = (pd: PersonalData, u: Pick<UserRecord, 'id' | 'email'>): Promise<string> => pd.open('users.email', u.id, u.email)

/** The standing the user's account object keeps a replica of (account-object.ts). */
export const standingOf = (u: Pick<UserRecord, 'id' | 'role' | 'frozenAt' | 'erasedAt'>): Standing => ({
  userId: u.id,
  role: u.role,
  frozen: u.frozenAt !== null,
  erased: u.erasedAt !== null,
})

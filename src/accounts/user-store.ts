import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { users } from '../db/schema'
import type { Standing } from './account-credentials'

export type UserRecord = typeof users.$inferSelect

/** Creates the user; the unique e-mail index decides a race between two registrations. */
export async function registerUser(db: Db, user: typeof users.$inferInsert): Promise<'created' | 'email_taken'> {
  const inserted = await db.insert(users).values(user).onConflictDoNothing({ target: users.email }).returning({ id: users.id })
  return inserted.length === 1 ? 'created' : 'email_taken'
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | undefined> {
  return db.select().from(users).where(eq(users.email, email)).get()
}

export async function findUserById(db: Db, id: string): Promise<UserRecord | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get()
}

/** The standing the user's account object keeps a replica of (account-object.ts). */
export const standingOf = (u: Pick<UserRecord, 'id' | 'role' | 'frozenAt' | 'erasedAt'>): Standing => ({
  userId: u.id,
  role: u.role,
  frozen: u.frozenAt !== null,
  erased: u.erasedAt !== null,
})

import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { sessions, users } from '../db/schema'

export type UserRecord = typeof users.$inferSelect
export type NewSession = typeof sessions.$inferInsert

/**
 * Creates the user and their first session in one D1 batch. The unique e-mail index decides a
 * race between two registrations: the loser's insert does nothing, and its session insert finds
 * no user with its fresh id, so nothing of it is written.
 */
export async function registerUser(db: Db, user: typeof users.$inferInsert, session: NewSession): Promise<'created' | 'email_taken'> {
  const [inserted] = await db.batch([
    db.insert(users).values(user).onConflictDoNothing({ target: users.email }).returning({ id: users.id }),
    db.insert(sessions).select(
      sql`SELECT ${session.id}, ${session.userId}, ${session.tokenHash}, ${session.createdAt}, ${session.expiresAt}, NULL
          WHERE EXISTS (SELECT 1 FROM users WHERE id = ${session.userId})`,
    ),
  ])
  return inserted.length === 1 ? 'created' : 'email_taken'
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | undefined> {
  return db.select().from(users).where(eq(users.email, email)).get()
}

export async function findUserById(db: Db, id: string): Promise<UserRecord | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get()
}

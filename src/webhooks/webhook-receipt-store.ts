import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { webhookReceipts } from '../db/schema'

/** Inbound webhook events already applied, by (provider, event id): each is applied once. */
export async function alreadyReceived(db: Db, provider: string, eventId: string): Promise<boolean> {
  return (await db.select({ eventId: webhookReceipts.eventId }).from(webhookReceipts).where(and(eq(webhookReceipts.provider, provider), eq(webhookReceipts.eventId, eventId))).get()) !== undefined
}

/** Recorded after the event is applied (applying is idempotent), so a crash in between only means a repeat. */
export async function recordReceipt(db: Db, provider: string, eventId: string, at: string): Promise<void> {
  await db.insert(webhookReceipts).values({ provider, eventId, receivedAt: at }).onConflictDoNothing()
}

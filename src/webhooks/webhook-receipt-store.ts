/** Inbound webhook events already applied, by (provider, event id): each is applied once. */
export async function alreadyReceived(d1: D1Database, provider: string, eventId: string): Promise<boolean> {
  return (await d1.prepare('SELECT 1 AS x FROM webhook_receipts WHERE provider = ? AND event_id = ?').bind(provider, eventId).first()) !== null
}

/** Recorded after the event is applied (applying is idempotent), so a crash in between only means a repeat. */
export async function recordReceipt(d1: D1Database, provider: string, eventId: string, at: string): Promise<void> {
  await d1.prepare('INSERT OR IGNORE INTO webhook_receipts (provider, event_id, received_at) VALUES (?, ?, ?)').bind(provider, eventId, at).run()
}

import { utf8 } from '../core/bytes'
import { derivedId } from '../core/ids'

/**
 * The id of an event that has no outbox row to keep its id: derived from what makes it that event
 * (its aggregate and seq), so publishing it again after a failure is the same event, which every
 * consumer applies once.
 */
export const derivedEventId = async (aggregateId: string, seq: number): Promise<string> =>
  derivedId('evt', new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(`souk/event\u0000${aggregateId}\u0000${seq}`))))

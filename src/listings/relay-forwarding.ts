import { MAX_REPLAY } from './live-message'

/**
 * How a listing object and its watcher relays exchange events. The listing forwards to each relay
 * through a lane, a value: at most one forward in flight
 * per relay, and whatever commits meanwhile goes out together in the next one (coalescing), so a
 * burst of commits costs a relay a few forwards, not one per event. The listing sends from its
 * event log by seq, and a relay answers how far it has delivered, so a lost or repeated forward
 * only costs a resend: nothing is skipped, nothing is sent to a watcher twice.
 */

/** An event as a watcher receives it: its seq and its `{ seq, type, data }` message, serialized once by the listing. */
export type RelayMessage = { seq: number; text: string }
/** A forward: events in seq order; `resync` when the relay is too far behind for them and gets one `live.resync` instead. */
export type RelayBatch = { messages: RelayMessage[]; resync: boolean }
/**
 * A relay's answer: how far it has now delivered (null: it never has, so it holds no watcher that
 * is owed anything), whether it took the batch (it refuses one that would leave a gap for a
 * watcher), and how many sockets it holds.
 */
export type RelayReceipt = { accepted: boolean; deliveredUpTo: number | null; watchers: number }

/** Events per forward, and per page of a newcomer's replay, at most; more wait for the next one. */
export const RELAY_BATCH_LIMIT = 100

/**
 * A page of what a relay's newcomer missed, from the listing's log: the messages after `from`
 * (the newcomer's `since`, no later than the log's end), or, when it is more than MAX_REPLAY
 * behind, one `live.resync` (`resync`). `lastSeq`: where the log ends now.
 */
export type LivePage = { from: number; lastSeq: number; messages: RelayMessage[]; resync: boolean }

/**
 * `sentUpTo`: what the relay has, as far as the listing knows (null: unknown, after the listing
 * restarted); `inFlight`: a forward has not answered yet; `failures` and `retryAt`: forwards that
 * failed in a row, and when to try again.
 */
export type Lane = { sentUpTo: number | null; inFlight: boolean; failures: number; retryAt: number }

export type Forward =
  | { kind: 'events'; after: number; upTo: number }
  | { kind: 'resync'; missed: number }
  /** Asks the relay how far it has delivered (an empty batch), when the listing does not know. */
  | { kind: 'probe' }

export const freshLane = (sentUpTo: number | null): Lane => ({ sentUpTo, inFlight: false, failures: 0, retryAt: 0 })

/** What to forward to this relay now that the log ends at `lastSeq`, if anything. */
export function nextForward(lane: Lane, lastSeq: number, now: number): Forward | null {
  if (lane.inFlight || lane.retryAt > now) return null
  if (lane.sentUpTo === null) return { kind: 'probe' }
  if (lane.sentUpTo >= lastSeq) return null
  if (lastSeq - lane.sentUpTo > MAX_REPLAY) return { kind: 'resync', missed: lastSeq - lane.sentUpTo }
  return { kind: 'events', after: lane.sentUpTo, upTo: Math.min(lastSeq, lane.sentUpTo + RELAY_BATCH_LIMIT) }
}

/**
 * The lane once a forward has left: in flight, and no retry due while it is (an old `retryAt`,
 * now past, would have the listing's alarm fire again and again for nothing until it answers).
 */
export function sending(lane: Lane): Lane {
  return { ...lane, inFlight: true, retryAt: 0 }
}

/**
 * The lane after the relay answered a forward that was sent when the log ended at `lastSeqAtSend`.
 * A relay that never delivered anything holds nobody who is owed an event, so it is taken to
 * have everything up to then.
 */
export function afterReceipt(lane: Lane, receipt: RelayReceipt, lastSeqAtSend: number): Lane {
  return { sentUpTo: receipt.deliveredUpTo ?? lastSeqAtSend, inFlight: false, failures: 0, retryAt: 0 }
}

/** The lane after a forward failed (the relay unreachable or overloaded): retried after `delayMs`, from where it stood. */
export function afterFailure(lane: Lane, now: number, delayMs: number): Lane {
  return { ...lane, inFlight: false, failures: lane.failures + 1, retryAt: now + delayMs }
}

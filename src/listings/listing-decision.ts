import { accept, type Accepted, type Rejected } from '../core/decision'
import type { ListingEvent, Settlement } from '../events/contract/listing-events'
import type { ListingState } from './listing-state'

/** A decision about a listing: the new state, its events, and the reservations it settled. */
export type ListingAccepted = Accepted<ListingState, ListingEvent> & { settlements: Settlement[] }
export type ListingDecision<R> = ListingAccepted | Rejected<R>

export const accepted = (state: ListingState, events: ListingEvent[], settlements: Settlement[] = []): ListingAccepted => ({
  ...accept(state, events),
  settlements,
})

/** Chains decisions that cannot be refused (deadlines, follow-ups) into one. */
export function andThen(first: ListingAccepted, next: (s: ListingState) => ListingAccepted): ListingAccepted {
  const second = next(first.state)
  return accepted(second.state, [...first.events, ...second.events], [...first.settlements, ...second.settlements])
}

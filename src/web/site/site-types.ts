import type { components } from '../../../client/src/schema'

/**
 * The API's answers as the pages read them: the OpenAPI document's own schemas, through the
 * typed client generated from it (client/src/schema.d.ts, kept in step by `npm run client:check`),
 * so a page can never read a field the API does not send. They come from the Worker's own /v1 routes.
 */
type Schemas = components['schemas']

export type Money = Schemas['Money']
export type Page<T> = { data: T[]; nextCursor: string | null }
export type ListingView = Schemas['Listing']
export type OfferView = Schemas['Offer']
export type OrderView = Schemas['Order']
export type BalanceView = Schemas['Balance']
export type VerificationView = Schemas['SellerVerification']
export type PayoutView = Schemas['Payout']
/** `GET /v1/me/ratings`: reviews (1 to 5) and buyers' poll answers about the caller as a seller (0 to 10). */
export type RatingsView = Schemas['MyRatings']
export type NotificationView = Schemas['Notification']
/** A poll waiting for the caller's answer (`GET /v1/me/polls`), also what a `poll` frame carries. */
export type PollView = Schemas['WaitingPoll']
export type PreferencesView = Schemas['NotificationPreferences']

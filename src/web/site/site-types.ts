/**
 * The API's answers as the /sell and /me pages read them: only the fields they show (the API
 * reference at /docs has the whole shapes). They come from the Worker's own /v1 routes.
 */
export type Money = { amount: number; currency: string }
export type Page<T> = { data: T[]; nextCursor: string | null }

export type ListingView = {
  id: string
  title: string
  category: string
  format: 'fixed_price' | 'auction'
  status: string
  price?: Money
  quantity?: number
  available?: number
  currentPrice?: Money
  bidCount?: number
  endsAt?: string
  acceptsOffers: boolean
  images?: { id: string; url: string }[]
  createdAt: string
}

export type OfferView = { id: string; listingId: string; buyerId: string; from: 'buyer' | 'seller'; amount: Money; quantity: number; status: string; createdAt: string; expiresAt: string }

export type OrderView = {
  id: string
  buyerId: string
  sellerId: string
  status: string
  items: { listingId: string; quantity: number; unitPrice: Money }[]
  total: Money
  shipment?: { carrier: string; trackingNumber: string; deliveredAt: string | null }
  createdAt: string
  updatedAt: string
  history: { status: string; at: string }[]
}

export type BalanceView = { available: Money[]; pending: Money[] }
export type VerificationView = { status: 'unverified' | 'pending' | 'verified' | 'rejected'; url?: string }
export type PayoutView = { id: string; amount: Money; status: string; createdAt: string }
/** `GET /v1/me/ratings`: reviews (1 to 5) and buyers' poll answers about the caller as a seller (0 to 10). */
export type RatingsView = { reviews: { average: number | null; count: number }; feedback: { average: number | null; count: number } }

export type NotificationView = { id: string; type: string; title: string; body: string; createdAt: string; readAt: string | null }
/** A poll waiting for the caller's answer (`GET /v1/me/polls`), also what a `poll` frame carries. */
export type PollView = { pollId: string; deliveryId: string; question: string; subject?: { id: string; displayName: string }; orderId?: string; deliveredAt?: string }
export type PreferencesView = {
  events: Record<string, Partial<Record<'in_app' | 'email' | 'sms' | 'push', boolean>>>
  quietHours?: { start: string; end: string; timeZone: string }
  digest?: 'off' | 'hourly' | 'daily'
}

import type { FC } from 'hono/jsx'
import type { PageFrame } from '../admin/admin-layout'
import { formatLabel, shownPrice, statusLabel, type PageListing } from './listing-card'
import { Csrf, loginHref, SiteLayout } from './site-layout'
import { formatMoney, formatWhen, timeLeft, type Money } from './site-format'

export type BidRow = { bidId: string; bidder: string; price: Money; at: string; mine: boolean }
type Score = { average: number | null; count: number }
/** `GET /v1/users/{id}`: reviews rate 1 to 5; buyers' feedback-poll answers score 0 to 10. */
export type SellerProfile = { id: string; displayName: string; verifiedSeller?: boolean; rating?: Score; feedback?: Score }

export type ListingPageView = PageFrame & {
  listing: PageListing
  bids: BidRow[]
  seller?: SellerProfile
  /** Drawn with the page: each form's Idempotency-Key is made of it (site/form-action.ts). */
  nonce: string
  nowMs: number
  here: string
}

/** The sandbox's test cards, as the checkout form offers them (docs/PAYMENTS.md). */
export const testCards = [
  { method: 'pm_card_visa', label: 'Visa (succeeds)' },
  { method: 'pm_card_mastercard', label: 'Mastercard (succeeds)' },
  { method: 'pm_card_chargeDeclined', label: 'Declined card' },
  { method: 'pm_card_chargeDeclinedInsufficientFunds', label: 'Declined: insufficient funds' },
  { method: 'pm_card_riskLevelHighest', label: 'Declined as fraud' },
  { method: 'pm_sandbox_timeout', label: 'Gateway times out (charge goes through)' },
  { method: 'pm_sandbox_error', label: 'Gateway error (nothing charged)' },
] as const

const Gallery: FC<{ listing: PageListing }> = ({ listing }) => {
  const images = listing.images ?? []
  if (images.length === 0) return <p class="empty">No photos yet.</p>
  return (
    <div class="gallery">
      {images.map((img, i) => (
        <figure>
          <img src={img.url} alt={`${listing.title}, photo ${i + 1} of ${images.length}`} width={img.width} height={img.height} loading={i === 0 ? undefined : 'lazy'} />
        </figure>
      ))}
    </div>
  )
}

const scored = (s: Score | undefined): s is { average: number; count: number } => s !== undefined && s.count > 0 && s.average !== null
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

const Rating: FC<{ seller?: SellerProfile }> = ({ seller }) => {
  if (!seller) return <span class="muted">—</span>
  const { rating, feedback } = seller
  return (
    <span>
      {seller.displayName}
      {seller.verifiedSeller && <span class="badge">Verified</span>}{' '}
      <span class="muted">
        {scored(rating) ? `★ ${rating.average.toFixed(1)} of 5 (${plural(rating.count, 'review', 'reviews')})` : 'No reviews yet'}
        {scored(feedback) && ` · buyers’ feedback ${feedback.average.toFixed(1)} of 10 (${plural(feedback.count, 'answer', 'answers')})`}
      </span>
    </span>
  )
}

export const BidTable: FC<{ bids: BidRow[] }> = ({ bids }) => (
  <table>
    <caption class="visually-hidden">Bids, newest first</caption>
    <thead>
      <tr>
        <th scope="col">Bidder</th>
        <th scope="col" class="num">
          Price
        </th>
        <th scope="col">When</th>
      </tr>
    </thead>
    <tbody data-live="bids">
      {bids.map((b) => (
        <tr>
          <td>
            {b.bidder}
            {b.mine && ' (you)'}
          </td>
          <td class="num">{formatMoney(b.price)}</td>
          <td>
            <time datetime={b.at}>{formatWhen(b.at)}</time>
          </td>
        </tr>
      ))}
    </tbody>
  </table>
)

const Hidden: FC<{ csrf?: string; nonce: string }> = ({ csrf, nonce }) => (
  <>
    <Csrf token={csrf} />
    <input type="hidden" name="nonce" value={nonce} />
  </>
)

const BidForm: FC<{ listing: PageListing; csrf?: string; nonce: string }> = ({ listing, csrf, nonce }) => (
  <form method="post" action={`/listings/${listing.id}/bid`} class="stack" data-bid-form="">
    <h2>Place a bid</h2>
    <Hidden csrf={csrf} nonce={nonce} />
    <input type="hidden" name="currency" value={listing.currency} />
    <label>
      Your maximum bid ({listing.currency}){listing.minimumBid && <span data-live="minimum"> — at least {formatMoney(listing.minimumBid)}</span>}
      <input type="text" inputmode="decimal" name="amount" required maxlength={12} autocomplete="off" />
    </label>
    <button type="submit">Place bid</button>
    <p class="hint">Souk bids for you up to your maximum, one increment at a time.</p>
    <p data-live="bid-result" role="status"></p>
  </form>
)

const OfferForm: FC<{ listing: PageListing; csrf?: string; nonce: string }> = ({ listing, csrf, nonce }) => (
  <form method="post" action={`/listings/${listing.id}/offer`} class="stack">
    <h2>Make an offer</h2>
    <Hidden csrf={csrf} nonce={nonce} />
    <input type="hidden" name="currency" value={listing.currency} />
    <label>
      Your price per item ({listing.currency})
      <input type="text" inputmode="decimal" name="amount" required maxlength={12} autocomplete="off" />
    </label>
    <label>
      Quantity
      <input type="number" name="quantity" min={1} max={listing.available ?? 1} value="1" required />
    </label>
    <button type="submit" class="secondary">
      Send offer
    </button>
  </form>
)

const CheckoutForm: FC<{ listing: PageListing; csrf?: string; nonce: string }> = ({ listing, csrf, nonce }) => {
  const auction = listing.format === 'auction'
  const unit = auction ? listing.buyNowPrice : listing.price
  return (
    <form method="post" action={`/listings/${listing.id}/buy`} class="stack">
      <h2>{auction ? `Buy It Now${unit ? ` for ${formatMoney(unit)}` : ''}` : 'Buy'}</h2>
      <Hidden csrf={csrf} nonce={nonce} />
      {auction ? (
        <input type="hidden" name="quantity" value="1" />
      ) : (
        <label>
          Quantity
          <input type="number" name="quantity" min={1} max={listing.available ?? 1} value="1" required />
        </label>
      )}
      <label>
        Card (sandbox test cards)
        <select name="paymentMethod">
          {testCards.map((card) => (
            <option value={card.method}>{card.label}</option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Ship to</legend>
        <label>
          Name
          <input type="text" name="name" autocomplete="shipping name" required maxlength={200} />
        </label>
        <label>
          Address
          <input type="text" name="line1" autocomplete="shipping address-line1" required maxlength={200} />
        </label>
        <label>
          Address, line 2 (optional)
          <input type="text" name="line2" autocomplete="shipping address-line2" maxlength={200} />
        </label>
        <label>
          City
          <input type="text" name="city" autocomplete="shipping address-level2" required maxlength={100} />
        </label>
        <label>
          Postal code
          <input type="text" name="postalCode" autocomplete="shipping postal-code" required maxlength={20} />
        </label>
        <label>
          Country (two letters, e.g. FR)
          <input type="text" name="country" autocomplete="shipping country" required minlength={2} maxlength={2} pattern="[A-Za-z]{2}" />
        </label>
      </fieldset>
      <label>
        Authenticator code, if your account has one and Souk asks for it
        <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength={6} />
      </label>
      <button type="submit">{auction ? 'Buy now and pay' : 'Buy and pay'}</button>
    </form>
  )
}

/** What a person may do here: bid, buy, offer, or why not (signed out, their own listing, ended). */
const Actions: FC<ListingPageView> = ({ listing, principal, csrf, nonce, here }) => {
  if (listing.status !== 'active') return <p class="ended-note">This listing has {listing.status === 'sold_out' ? 'sold out' : listing.status === 'withdrawn' ? 'been withdrawn' : 'ended'}.</p>
  if (listing.suspended) return <p class="ended-note">This listing is suspended for now.</p>
  if (!principal)
    return (
      <p>
        <a class="button" href={loginHref(here)}>
          Log in to {listing.format === 'auction' ? 'bid or buy' : 'buy'}
        </a>{' '}
        or <a href={`/register?next=${encodeURIComponent(here)}`}>create an account</a>.
      </p>
    )
  if (principal.userId === listing.sellerId) return <p class="muted">This is your listing.</p>
  return (
    <div class="actions">
      {listing.format === 'auction' && <BidForm listing={listing} csrf={csrf} nonce={nonce} />}
      {(listing.format === 'fixed_price' || listing.buyNowPrice) && <CheckoutForm listing={listing} csrf={csrf} nonce={nonce} />}
      {listing.format === 'fixed_price' && listing.acceptsOffers && <OfferForm listing={listing} csrf={csrf} nonce={nonce} />}
    </div>
  )
}

/**
 * `/listings/{id}`: photos, the facts, the live price and countdown, bid history, and the forms to
 * bid, buy (checkout with a sandbox test card) and offer. /site/listing-live.js keeps the price,
 * bids, countdown and state current over the listing's WebSocket; without it the page is whole,
 * as of when it was drawn.
 */
export const ListingPage: FC<ListingPageView> = (view) => {
  const { listing: l, bids, seller, nowMs, here, nonce: _nonce, ...frame } = view
  const price = shownPrice(l)
  const auction = l.format === 'auction'
  return (
    <SiteLayout title={l.title} here={here} scripts={['/site/listing-live.js']} mainData={{ 'listing-id': l.id, seq: String(l.version), format: l.format }} {...frame}>
      <div class="listing">
        <section aria-label="Photos">
          <Gallery listing={l} />
        </section>
        <section aria-label="Price and actions">
          <p>
            <span class="now" data-live="price">
              {price ? formatMoney(price) : '—'}
            </span>{' '}
            <span class="badge">{formatLabel(l)}</span>
          </p>
          <dl class="facts">
            {auction && (
              <>
                <dt>Bids</dt>
                <dd data-live="bid-count">{l.bidCount ?? 0}</dd>
                {l.reserveMet !== undefined && (
                  <>
                    <dt>Reserve</dt>
                    <dd data-live="reserve">{l.reserveMet ? 'Met' : 'Not met yet'}</dd>
                  </>
                )}
              </>
            )}
            {l.endsAt && (
              <>
                <dt>Time left</dt>
                <dd>
                  <time data-live="ends" datetime={l.endsAt}>
                    {timeLeft(Date.parse(l.endsAt), nowMs)}
                  </time>{' '}
                  <span class="muted">(ends {formatWhen(l.endsAt)})</span>
                </dd>
              </>
            )}
            {!auction && (
              <>
                <dt>In stock</dt>
                <dd data-live="available">{l.available ?? 0}</dd>
              </>
            )}
            <dt>Status</dt>
            <dd data-live="status">{statusLabel[l.status]}</dd>
            <dt>Category</dt>
            <dd>
              <a href={`/?category=${encodeURIComponent(l.category)}`}>{l.category}</a>
            </dd>
            <dt>Seller</dt>
            <dd>
              <Rating seller={seller} />
            </dd>
          </dl>
          <p class="live-state" data-live="state" aria-live="polite"></p>
          <Actions {...view} />
        </section>
      </div>
      <h2>Description</h2>
      <p class="description">{l.description}</p>
      {auction && (
        <>
          <h2>Bid history</h2>
          {bids.length === 0 && (
            <p class="empty" data-live="no-bids">
              No bids yet.
            </p>
          )}
          <BidTable bids={bids} />
        </>
      )}
    </SiteLayout>
  )
}

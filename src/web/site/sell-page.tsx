import type { FC } from 'hono/jsx'
import { currencies } from '../../core/money'
import { formatMoney, formatWhen } from './site-format'
import { Csrf } from './site-layout'
import { durationUnits } from './listing-form'
import { MAX_PHOTOS } from './listing-photos'
import { sellerActions, statusWords } from './order-actions'
import type { BalanceView, ListingView, Money, OfferView, OrderView, PayoutView, RatingsView, VerificationView } from './site-types'

/** What /sell shows: the seller's listings, offers waiting for an answer, orders, money. */
export type SellData = {
  listingStatus: string
  listings: ListingView[]
  offers: OfferView[]
  orders: OrderView[]
  balance: BalanceView | undefined
  verification: VerificationView | undefined
  payouts: PayoutView[]
  ratings: RatingsView | undefined
}

export const listingStatuses = ['active', 'ended', 'sold_out', 'withdrawn'] as const

const money = (m: Money | undefined) => (m ? formatMoney(m) : '—')

/** The form fields every action form carries: the session's CSRF token and the page's nonce. */
const Guard: FC<{ csrf?: string; nonce: string }> = ({ csrf, nonce }) => (
  <>
    <Csrf token={csrf} />
    <input type="hidden" name="nonce" value={nonce} />
  </>
)

const Button: FC<{ action: string; csrf?: string; nonce: string; label: string; danger?: boolean }> = ({ action, csrf, nonce, label, danger }) => (
  <form method="post" action={action} class="inline">
    <Guard csrf={csrf} nonce={nonce} />
    <button type="submit" class={danger ? 'danger' : undefined}>
      {label}
    </button>
  </form>
)

export const NewListingForm: FC<{ csrf?: string; nonce: string }> = ({ csrf, nonce }) => (
  <section aria-labelledby="new-listing">
    <h2 id="new-listing">List something</h2>
    <form method="post" action="/sell/listings" enctype="multipart/form-data" class="stack" id="new-listing-form">
      <Guard csrf={csrf} nonce={nonce} />
      <label>
        Title <input name="title" required maxlength={140} />
      </label>
      <label>
        Description <textarea name="description" rows={4} maxlength={20000}></textarea>
      </label>
      <label>
        Category <input name="category" required maxlength={40} pattern="[a-z0-9]+(-[a-z0-9]+)*" list="sell-categories" aria-describedby="category-hint" />
      </label>
      <p id="category-hint" class="hint">Lower case, words joined by dashes: home, art, vintage-clothing.</p>
      <datalist id="sell-categories">
        {['art', 'books', 'collectibles', 'electronics', 'fashion', 'home', 'kitchen', 'music', 'sports', 'toys'].map((c) => (
          <option value={c} />
        ))}
      </datalist>
      <fieldset>
        <legend>Format</legend>
        <label>
          <input type="radio" name="format" value="fixed_price" checked /> Fixed price
        </label>
        <label>
          <input type="radio" name="format" value="offers" /> Fixed price, open to offers
        </label>
        <label>
          <input type="radio" name="format" value="auction" /> Auction
        </label>
      </fieldset>
      <label>
        Currency{' '}
        <select name="currency">
          {currencies.map((c) => (
            <option value={c}>{c}</option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Fixed price</legend>
        <label>
          Price <input name="price" inputmode="decimal" placeholder="45.00" />
        </label>
        <label>
          Quantity <input name="quantity" type="number" min={1} max={100000} value="1" />
        </label>
      </fieldset>
      <fieldset>
        <legend>Auction</legend>
        <label>
          Starting bid <input name="startingBid" inputmode="decimal" placeholder="10.00" />
        </label>
        <label>
          Reserve price (optional) <input name="reservePrice" inputmode="decimal" />
        </label>
        <label>
          Buy It Now price (optional) <input name="buyNowPrice" inputmode="decimal" />
        </label>
        <label>
          Ends in <input name="endsIn" type="number" min={1} max={100000} value="7" />
        </label>
        <label>
          Unit{' '}
          <select name="endsInUnit">
            {Object.keys(durationUnits).map((u) => (
              <option value={u} selected={u === 'days'}>
                {u}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <label>
        Photos (JPEG, PNG or WebP, up to 5 MB each, at most {MAX_PHOTOS}) <input type="file" name="photos" accept="image/jpeg,image/png,image/webp" multiple />
      </label>
      <button type="submit">List it</button>
    </form>
  </section>
)

const ListingsTable: FC<{ data: SellData; offersBy: Map<string, number> }> = ({ data, offersBy }) => (
  <section aria-labelledby="your-listings">
    <h2 id="your-listings">Your listings</h2>
    <nav class="filter" aria-label="Listing status">
      {listingStatuses.map((s) => (
        <a href={`/sell?listings=${s}`} aria-current={s === data.listingStatus ? 'true' : undefined}>
          {statusWords(s)}
        </a>
      ))}
    </nav>
    {data.listings.length === 0 ? (
      <p class="empty">No {statusWords(data.listingStatus)} listings.</p>
    ) : (
      <table id="sell-listings">
        <thead>
          <tr>
            <th scope="col">Listing</th>
            <th scope="col">Format</th>
            <th scope="col">Status</th>
            <th scope="col">Price</th>
            <th scope="col">Bids</th>
            <th scope="col">Pending offers</th>
            <th scope="col">Photos</th>
          </tr>
        </thead>
        <tbody>
          {data.listings.map((l) => (
            <tr id={l.id}>
              <td>
                <a href={`/listings/${l.id}`}>{l.title}</a>
              </td>
              <td>{l.format === 'auction' ? `auction, ends ${l.endsAt ? formatWhen(l.endsAt) : '—'}` : l.acceptsOffers ? 'fixed price, offers' : 'fixed price'}</td>
              <td class={`status ${l.status}`}>{statusWords(l.status)}</td>
              <td class="num">{money(l.format === 'auction' ? l.currentPrice : l.price)}</td>
              <td class="num">{l.format === 'auction' ? String(l.bidCount ?? 0) : '—'}</td>
              <td class="num">{String(offersBy.get(l.id) ?? 0)}</td>
              <td>
                {(l.images ?? []).length === 0 ? (
                  'none'
                ) : (
                  <img class="thumb" src={l.images?.[0]?.url} alt={`Photo of ${l.title}`} width={48} height={48} loading="lazy" />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
)

const OffersTable: FC<{ offers: OfferView[]; titles: Map<string, string>; csrf?: string; nonce: string }> = ({ offers, titles, csrf, nonce }) => (
  <section aria-labelledby="offers">
    <h2 id="offers">Offers waiting for you</h2>
    {offers.length === 0 ? (
      <p class="empty">No offers waiting.</p>
    ) : (
      <table id="sell-offers">
        <thead>
          <tr>
            <th scope="col">Listing</th>
            <th scope="col">Offer</th>
            <th scope="col">Quantity</th>
            <th scope="col">Expires</th>
            <th scope="col">Answer</th>
          </tr>
        </thead>
        <tbody>
          {offers.map((o) => (
            <tr id={o.id}>
              <td>
                <a href={`/listings/${o.listingId}`}>{titles.get(o.listingId) ?? o.listingId}</a>
              </td>
              <td class="num">{money(o.amount)} each</td>
              <td class="num">{String(o.quantity)}</td>
              <td>{formatWhen(o.expiresAt)}</td>
              <td class="row-actions">
                <Button action={`/sell/offers/${o.id}/accept`} csrf={csrf} nonce={nonce} label="Accept" />
                <Button action={`/sell/offers/${o.id}/decline`} csrf={csrf} nonce={nonce} label="Decline" danger />
                <form method="post" action={`/sell/offers/${o.id}/counter`} class="inline">
                  <Guard csrf={csrf} nonce={nonce} />
                  <input type="hidden" name="currency" value={o.amount.currency} />
                  <label>
                    Counter ({o.amount.currency}) <input name="amount" inputmode="decimal" size={8} required />
                  </label>
                  <button type="submit">Counter</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
)

const OrdersTable: FC<{ orders: OrderView[]; titles: Map<string, string>; csrf?: string; nonce: string }> = ({ orders, titles, csrf, nonce }) => (
  <section aria-labelledby="orders">
    <h2 id="orders">Orders</h2>
    {orders.length === 0 ? (
      <p class="empty">No orders yet.</p>
    ) : (
      <table id="sell-orders">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Items</th>
            <th scope="col">Total</th>
            <th scope="col">Status</th>
            <th scope="col">Shipment</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => {
            const actions = sellerActions(o)
            return (
              <tr id={o.id}>
                <td>
                  <code>{o.id}</code>
                  <br />
                  {formatWhen(o.createdAt)}
                </td>
                <td>
                  {o.items.map((i) => (
                    <>
                      <a href={`/listings/${i.listingId}`}>{titles.get(i.listingId) ?? i.listingId}</a> × {String(i.quantity)}
                      <br />
                    </>
                  ))}
                </td>
                <td class="num">{money(o.total)}</td>
                <td class={`status ${o.status}`}>{statusWords(o.status)}</td>
                <td>{o.shipment ? `${o.shipment.carrier} ${o.shipment.trackingNumber}` : '—'}</td>
                <td class="row-actions">
                  {actions.includes('ship') && (
                    <form method="post" action={`/sell/orders/${o.id}/ship`} class="inline">
                      <Guard csrf={csrf} nonce={nonce} />
                      <label>
                        Carrier{' '}
                        <select name="carrier">
                          {['sandbox', 'ups', 'dhl', 'fedex', 'usps'].map((c) => (
                            <option value={c}>{c}</option>
                          ))}
                        </select>
                      </label>
                      <label>
                        Tracking number <input name="trackingNumber" required pattern="[A-Za-z0-9\-]{4,64}" size={14} />
                      </label>
                      <button type="submit">Mark shipped</button>
                    </form>
                  )}
                  {actions.includes('cancel') && <Button action={`/sell/orders/${o.id}/cancel`} csrf={csrf} nonce={nonce} label="Cancel and refund" danger />}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    )}
  </section>
)

const verificationWords: Record<VerificationView['status'], string> = {
  unverified: 'Not verified: payouts need a verified identity.',
  pending: 'Verification in progress; this takes a few moments.',
  verified: 'Verified: you can request payouts.',
  rejected: 'Verification was rejected; you can start again.',
}

const MoneySection: FC<{ data: SellData; csrf?: string; nonce: string }> = ({ data, csrf, nonce }) => {
  const v = data.verification
  const available = data.balance?.available ?? []
  return (
    <section aria-labelledby="money">
      <h2 id="money">Balance and payouts</h2>
      <dl class="balance" id="balance">
        <dt>Available</dt>
        <dd>{available.length === 0 ? 'nothing yet' : available.map((m) => money(m)).join(', ')}</dd>
        <dt>Pending (in escrow)</dt>
        <dd>{(data.balance?.pending ?? []).length === 0 ? 'nothing' : (data.balance?.pending ?? []).map((m) => money(m)).join(', ')}</dd>
      </dl>
      <p id="verification" data-status={v?.status ?? 'unknown'}>
        Identity: {v ? verificationWords[v.status] : 'unknown right now.'}
        {v?.status === 'pending' && v.url && (
          <>
            {' '}
            <a href={v.url} rel="noopener noreferrer">
              Continue with the identity provider
            </a>
          </>
        )}
      </p>
      {v && (v.status === 'unverified' || v.status === 'rejected') && <Button action="/sell/verification" csrf={csrf} nonce={nonce} label="Verify my identity" />}
      <form method="post" action="/sell/payouts" class="stack">
        <Guard csrf={csrf} nonce={nonce} />
        <fieldset>
          <legend>Request a payout</legend>
          <label>
            Amount <input name="amount" inputmode="decimal" required placeholder="40.00" />
          </label>
          <label>
            Currency{' '}
            <select name="currency">
              {currencies.map((c) => (
                <option value={c} selected={c === available[0]?.currency}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label>
            Authenticator code (if you use one) <input name="mfaCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" size={6} />
          </label>
          <button type="submit">Request payout</button>
        </fieldset>
      </form>
      {data.payouts.length > 0 && (
        <table id="sell-payouts">
          <caption>Recent payouts</caption>
          <thead>
            <tr>
              <th scope="col">Payout</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Requested</th>
            </tr>
          </thead>
          <tbody>
            {data.payouts.map((p) => (
              <tr id={p.id}>
                <td>
                  <code>{p.id}</code>
                </td>
                <td class="num">{money(p.amount)}</td>
                <td class={`status ${p.status}`}>{p.status}</td>
                <td>{formatWhen(p.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** The seller's standing with buyers: their feedback poll answers (0 to 10) and reviews (1 to 5). */
export const RatingLine: FC<{ ratings?: RatingsView }> = ({ ratings }) => {
  if (!ratings) return null
  const { feedback, reviews } = ratings
  const people = (n: number) => `${n} ${n === 1 ? 'buyer' : 'buyers'}`
  return (
    <p id="rating">
      {feedback.count === 0 || feedback.average === null ? 'No feedback from buyers yet.' : `Buyers' feedback: ${feedback.average.toFixed(1)} of 10 from ${people(feedback.count)}.`}{' '}
      {reviews.count === 0 || reviews.average === null ? 'No reviews yet.' : `Reviews: ${reviews.average.toFixed(1)} of 5 from ${people(reviews.count)}.`}
    </p>
  )
}

/** The body of /sell (inside the site's layout). */
export const SellView: FC<{ data: SellData; csrf?: string; nonce: string }> = ({ data, csrf, nonce }) => {
  const offersBy = new Map<string, number>()
  for (const o of data.offers) offersBy.set(o.listingId, (offersBy.get(o.listingId) ?? 0) + 1)
  const titles = new Map(data.listings.map((l) => [l.id, l.title]))
  return (
    <>
      <RatingLine ratings={data.ratings} />
      <ListingsTable data={data} offersBy={offersBy} />
      <OffersTable offers={data.offers} titles={titles} csrf={csrf} nonce={nonce} />
      <OrdersTable orders={data.orders} titles={titles} csrf={csrf} nonce={nonce} />
      <MoneySection data={data} csrf={csrf} nonce={nonce} />
      <NewListingForm csrf={csrf} nonce={nonce} />
    </>
  )
}

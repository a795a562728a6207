import type { FC } from 'hono/jsx'
import { formatMoney, timeLeft, type Money } from './site-format'
import type { ListingView } from './site-types'

/** What the pages read of a listing: the API's `Listing` (site-types.ts). */
export type PageListing = ListingView

export const formatLabel = (l: Pick<PageListing, 'format' | 'acceptsOffers'>): string => (l.format === 'auction' ? 'Auction' : l.acceptsOffers ? 'Buy It Now or offer' : 'Buy It Now')

export const statusLabel: Record<PageListing['status'], string> = { active: 'Active', ended: 'Ended', sold_out: 'Sold out', withdrawn: 'Withdrawn' }

/** The price a listing shows: an auction's current price, else its fixed price. */
export const shownPrice = (l: PageListing): Money | undefined => (l.format === 'auction' ? l.currentPrice : l.price)

/** A result on the front page: first photo, title, price, format, and an auction's time left. */
export const ListingCard: FC<{ listing: PageListing; nowMs: number }> = ({ listing: l, nowMs }) => {
  const photo = l.images?.[0]
  const price = shownPrice(l)
  return (
    <li>
      <div class="thumb">
        {photo ? <img src={photo.url} alt={l.title} loading="lazy" width={photo.width} height={photo.height} /> : <span>No photo</span>}
      </div>
      <div class="body">
        <h3>
          <a href={`/listings/${l.id}`}>{l.title}</a>
        </h3>
        <span>
          <span class="price">{price ? formatMoney(price) : '—'}</span> <span class="badge">{formatLabel(l)}</span>
        </span>
        {l.format === 'auction' && (
          <span class="muted">
            {l.bidCount ?? 0} {l.bidCount === 1 ? 'bid' : 'bids'}
            {l.endsAt && (
              <>
                {' · '}
                <time datetime={l.endsAt}>{timeLeft(Date.parse(l.endsAt), nowMs)}</time>
              </>
            )}
          </span>
        )}
        {l.status !== 'active' && <span class="muted">{statusLabel[l.status]}</span>}
      </div>
    </li>
  )
}

import { Hono } from 'hono'
import { html } from 'hono/html'
import { describe, expect, it } from 'vitest'
import { ListingPage, type BidRow, type ListingPageView } from '../../../../src/web/site/listing-page'

/** The listing page as markup, without a Worker: what it says about the seller, and its size at its largest. */
const usd = (amount: number) => ({ amount, currency: 'USD' as const })
const now = Date.parse('2026-03-16T12:00:00Z')

function view(over: Partial<ListingPageView> = {}): ListingPageView {
  return {
    listing: {
      id: 'lst_01jd3v6w2k8m4n5p6q7r8s9t0v',
      sellerId: 'usr_01jd3v6w2k8m4n5p6q7r8s9t0v',
      title: 'Signed gallery print',
      description: 'Numbered 12/50',
      category: 'art',
      format: 'auction',
      status: 'active',
      version: 7,
      currency: 'USD',
      currentPrice: usd(1100),
      bidCount: 2,
      minimumBid: usd(1200),
      endsAt: '2026-03-16T14:30:00.000Z',
      acceptsOffers: false,
      images: [],
      createdAt: '2026-03-16T10:00:00.000Z',
      updatedAt: '2026-03-16T11:00:00.000Z',
    },
    bids: [],
    nonce: 'n'.repeat(24),
    nowMs: now,
    here: '/listings/lst_01jd3v6w2k8m4n5p6q7r8s9t0v',
    principal: { userId: 'usr_01jd3v6w2k8m4n5p6q7r8s9t0b', role: 'user' } as ListingPageView['principal'],
    csrf: 'c'.repeat(64),
    ...over,
  }
}

/** Rendered as a page answers it. */
const render = async (v: ListingPageView): Promise<string> => {
  const res = await new Hono().get('/', (c) => c.html(html`${ListingPage(v)}`)).request('/')
  return res.text()
}

describe('the listing page', () => {
  it('shows the seller’s reviews and buyers’ feedback when there are any, and says so when not', async () => {
    const rated = await render(view({ seller: { id: 'usr_x', displayName: 'Sam', verifiedSeller: true, rating: { average: 4.5, count: 2 }, feedback: { average: 8.75, count: 1 } } }))
    expect(rated).toContain('Sam')
    expect(rated).toContain('Verified')
    expect(rated).toContain('★ 4.5 of 5 (2 reviews)')
    expect(rated).toContain('buyers’ feedback 8.8 of 10 (1 answer)')
    const fresh = await render(view({ seller: { id: 'usr_x', displayName: 'Noor', rating: { average: null, count: 0 }, feedback: { average: null, count: 0 } } }))
    expect(fresh).toContain('No reviews yet')
    expect(fresh).not.toContain('feedback')
  })

  it('draws the countdown, the bid form with its nonce and token, and Buy It Now only when offered', async () => {
    const html = await render(view())
    expect(html).toContain('>2h 30m left</time>')
    expect(html).toContain('name="nonce" value="nnnnnnnnnnnnnnnnnnnnnnnn"')
    expect(html).toContain(`name="csrf" value="${'c'.repeat(64)}"`)
    expect(html).toContain('at least $12.00')
    expect(html).not.toContain('/buy"')
    const withBuyNow = await render(view({ listing: { ...view().listing, buyNowPrice: usd(5000) } }))
    expect(withBuyNow).toContain('Buy It Now for $50.00')
  })

  it('stays under 50 KB with a full bid history and the longest description, before photos', async () => {
    const bids: BidRow[] = Array.from({ length: 20 }, (_, i) => ({ bidId: `bid_${i}`, bidder: `bidder-${'x'.repeat(10)}`, price: usd(1000 + i * 50), at: '2026-03-16T11:00:00.000Z', mine: i % 2 === 0 }))
    const html = await render(view({ bids, listing: { ...view().listing, description: 'd'.repeat(20_000), title: 't'.repeat(140), buyNowPrice: usd(9000) }, seller: { id: 'usr_x', displayName: 's'.repeat(64) } }))
    expect(new TextEncoder().encode(html).length).toBeLessThan(50_000)
  })
})

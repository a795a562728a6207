import type { FC } from 'hono/jsx'
import type { PageFrame } from '../admin/admin-layout'
import { browseFormats, browseHref, browseSorts, facetHref, type BrowseParams } from './browse-params'
import { ListingCard, type PageListing } from './listing-card'
import { SiteLayout } from './site-layout'

export type Facets = { total: number; category: { value: string; count: number }[]; format: { value: string; count: number }[] }

export type SearchView = PageFrame & {
  params: BrowseParams
  here: string
  nowMs: number
  /** The results, or why there are none (a bad price, a stale cursor): the API's words. */
  results: { listings: PageListing[]; nextCursor: string | null } | { error: string }
  facets?: Facets
}

const formatName = (value: string) => browseFormats.find((f) => f.value === value)?.label ?? value

const FacetList: FC<{ title: string; facet: 'category' | 'format'; counts: { value: string; count: number }[]; params: BrowseParams }> = ({ title, facet, counts, params }) => (
  <nav aria-label={title}>
    <h2>{title}</h2>
    {counts.length === 0 ? (
      <p class="empty">None</p>
    ) : (
      <ul>
        {counts.map(({ value, count }) => {
          const link = facetHref(params, facet, value)
          return (
            <li>
              <a href={link.href} aria-current={link.current ? 'true' : undefined}>
                <span>{facet === 'format' ? formatName(value) : value}</span>{' '}
                <span class="count">
                  {count}
                  <span class="visually-hidden">{count === 1 ? ' listing' : ' listings'}</span>
                </span>
              </a>
            </li>
          )
        })}
      </ul>
    )}
  </nav>
)

/**
 * `/`: search and browse. The filters are a plain GET form (works without script), the facets
 * are links that add or remove one filter with their counts, the results come a page at a time
 * with a "Next page" link carrying the API's cursor.
 */
export const SearchPage: FC<SearchView> = ({ params, here, nowMs, results, facets, ...frame }) => (
  <SiteLayout title={params.q ? `Results for “${params.q}”` : 'Browse listings'} active="/" q={params.q} here={here} {...frame}>
    <div class="browse">
      <aside class="facets" aria-label="Refine">
        {facets ? (
          <>
            <FacetList title="Category" facet="category" counts={facets.category} params={params} />
            <FacetList title="Format" facet="format" counts={facets.format} params={params} />
          </>
        ) : (
          <p class="empty">No counts to show.</p>
        )}
      </aside>
      <section aria-label="Results">
        <form class="filters" method="get" action="/">
          <label>
            Words
            <input type="search" name="q" value={params.q ?? ''} maxlength={200} />
          </label>
          <label>
            Category
            <input type="text" name="category" value={params.category ?? ''} maxlength={40} />
          </label>
          <label>
            Format
            <select name="format">
              <option value="">Any</option>
              {browseFormats.map((f) => (
                <option value={f.value} selected={params.format === f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Lowest price
            <input type="text" inputmode="decimal" name="min" value={params.min ?? ''} maxlength={20} />
          </label>
          <label>
            Highest price
            <input type="text" inputmode="decimal" name="max" value={params.max ?? ''} maxlength={20} />
          </label>
          <label>
            Sort
            <select name="sort">
              {browseSorts.map((s) => (
                <option value={s.value} selected={params.sort === s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Apply</button>
          {here !== '/' && <a href="/">Clear all</a>}
        </form>
        {'error' in results ? (
          <p class="flash error" role="alert">
            {results.error}
          </p>
        ) : (
          <>
            {facets && (
              <p class="muted" role="status">
                {facets.total} {facets.total === 1 ? 'listing' : 'listings'}
              </p>
            )}
            {results.listings.length === 0 ? (
              <p class="empty">Nothing matches. Try fewer words or filters.</p>
            ) : (
              <ul class="cards">
                {results.listings.map((l) => (
                  <ListingCard listing={l} nowMs={nowMs} />
                ))}
              </ul>
            )}
            {results.nextCursor !== null && (
              <p class="pager">
                <a href={browseHref(params, { cursor: results.nextCursor })} rel="next">
                  Next page →
                </a>
              </p>
            )}
          </>
        )}
      </section>
    </div>
  </SiteLayout>
)

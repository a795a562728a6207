import { Hono } from 'hono'
import { decodeCursor, page } from '../../core/cursor'
import { database } from '../../db/client'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { riskReviewStatuses, type ReviewStatus } from '../../risk/review-kinds'
import { listReviews } from '../../risk/risk-review-store'
import { decideRiskReview } from '../../risk/risk-routes'
import { frameOf, renderPage } from '../page-render'
import { ActionForm, AdminLayout, Empty, NextPage } from './admin-layout'
import { formatTime } from './format'
import { pageAction } from './page-action'

const PAGE = 50

/**
 * `/admin/reviews`: the risk review queue (open by default), each open review with approve and
 * reject, decided exactly as `POST /v1/admin/risk/reviews/{id}/approve|reject` decides it.
 */
export const reviewsRoutes = new Hono<AppEnv>()
  .get('/admin/reviews', requireAccess('risk.review'), async (c) => {
    const status = riskReviewStatuses.find((s) => s === (c.req.query('status') ?? 'open')) ?? 'open'
    const cursor = c.req.query('cursor')
    const rows = await listReviews(database(c.env.DB), { status, limit: PAGE, cursor: cursor ? decodeCursor(cursor) : undefined })
    const { data, nextCursor } = page(rows, PAGE, (r) => r.id)
    const frame = await frameOf(c)
    return renderPage(
      c,
      <AdminLayout title="Risk reviews" active="/admin/reviews" {...frame}>
        <StatusFilter current={status} />
        {data.length === 0 ? (
          <Empty>No {status} reviews.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Review</th>
                <th>Kind</th>
                <th>Subject</th>
                <th>User</th>
                <th>Why</th>
                <th>Score</th>
                <th>Opened</th>
                <th>Status</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {data.map((r) => (
                <tr id={r.id}>
                  <td><code>{r.id}</code></td>
                  <td>{r.kind}</td>
                  <td><code>{r.subjectId}</code></td>
                  <td><a href={`/admin/users?id=${r.userId}`}><code>{r.userId}</code></a></td>
                  <td>
                    <ul class="reasons">{r.reasons.map((why) => <li>{why}</li>)}</ul>
                  </td>
                  <td class="num">{r.score ?? '—'}</td>
                  <td>{formatTime(r.createdAt)}</td>
                  <td>{r.status === 'open' ? 'open' : `${r.status} by ${r.decidedBy ?? '?'} ${formatTime(r.decidedAt)}`}</td>
                  <td class="actions">
                    {r.status === 'open' && (
                      <>
                        <ActionForm action={`/admin/reviews/${r.id}/approve`} csrf={frame.csrf} label="Approve" />
                        <ActionForm action={`/admin/reviews/${r.id}/reject`} csrf={frame.csrf} label="Reject" danger />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <NextPage path="/admin/reviews" params={{ status }} cursor={nextCursor} />
      </AdminLayout>,
    )
  })
  .post('/admin/reviews/:id/approve', requireAccess('risk.review'), (c) =>
    pageAction(c, '/admin/reviews', async () => {
      const { review, orderStatus } = await decideRiskReview(c, c.req.param('id'), 'approved')
      return `Approved ${review.id} (${review.kind} ${review.subjectId})${orderStatus ? `: the order is ${orderStatus}` : ''}`
    }),
  )
  .post('/admin/reviews/:id/reject', requireAccess('risk.review'), (c) =>
    pageAction(c, '/admin/reviews', async () => {
      const { review, orderStatus } = await decideRiskReview(c, c.req.param('id'), 'rejected')
      return `Rejected ${review.id} (${review.kind} ${review.subjectId})${orderStatus ? `: the order is ${orderStatus}` : ''}`
    }),
  )

const StatusFilter = ({ current }: { current: ReviewStatus }) => (
  <nav class="filter" aria-label="Status">
    {riskReviewStatuses.map((s) => (
      <a href={`/admin/reviews?status=${s}`} aria-current={s === current ? 'true' : undefined}>
        {s}
      </a>
    ))}
  </nav>
)

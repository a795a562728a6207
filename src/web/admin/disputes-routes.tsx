import { Hono } from 'hono'
import { decodeCursor, page } from '../../core/cursor'
import { database } from '../../db/client'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { Problem } from '../../http/problem'
import { listDisputes } from '../../orders/admin-order-store'
import type { DisputeResult } from '../../orders/order-commands'
import { resolveDisputeAsStaff } from '../../orders/order-routes'
import { frameOf, renderPage } from '../page-render'
import { ActionForm, AdminLayout, Empty, NextPage } from './admin-layout'
import { formatMoney, formatTime } from './format'
import { formField, pageAction } from './page-action'

const PAGE = 50
const outcomes = ['refund', 'release'] as const

/** A refused resolution as the problem the JSON route answers. */
function refusalProblem(result: Extract<DisputeResult, { ok: false }>): Problem {
  const r = result.refusal
  if (r.code === 'not_found') return new Problem(404, 'not_found', 'No such order')
  if (r.code === 'forbidden') return new Problem(403, 'forbidden', `Not allowed: ${r.reason}`)
  if (r.code === 'delivery_window_open') return new Problem(409, 'delivery_window_open', `Not before ${r.opensAt}`)
  return new Problem(409, 'invalid_transition', `The order is ${r.status}`)
}

/**
 * `/admin/disputes`: disputes (open by default), newest first; each open one is resolved by
 * refunding the buyer or releasing escrow to the seller, as `POST /v1/admin/disputes/{orderId}/resolve`.
 */
export const disputesRoutes = new Hono<AppEnv>()
  .get('/admin/disputes', requireAccess('disputes.resolve'), async (c) => {
    const status = c.req.query('status') === 'resolved' ? 'resolved' : 'open'
    const cursor = c.req.query('cursor')
    const rows = await listDisputes(database(c.env.DB), { status, limit: PAGE, cursor: cursor ? decodeCursor(cursor) : undefined })
    const { data, nextCursor } = page(rows, PAGE, (d) => d.orderId)
    const frame = await frameOf(c)
    return renderPage(
      c,
      <AdminLayout title="Disputes" active="/admin/disputes" {...frame}>
        <nav class="filter" aria-label="Status">
          <a href="/admin/disputes?status=open" aria-current={status === 'open' ? 'true' : undefined}>open</a>
          <a href="/admin/disputes?status=resolved" aria-current={status === 'resolved' ? 'true' : undefined}>resolved</a>
        </nav>
        {data.length === 0 ? (
          <Empty>No {status} disputes.</Empty>
        ) : (
          <table>
            <thead>
              <tr><th>Order</th><th>Reason</th><th>Opened</th><th>Buyer</th><th>Seller</th><th>Total</th><th>Order status</th><th>Outcome</th><th></th></tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr id={d.orderId}>
                  <td><code>{d.orderId}</code></td>
                  <td>{d.reason}</td>
                  <td>{formatTime(d.openedAt)}</td>
                  <td><a href={`/admin/users?id=${d.buyerId}`}><code>{d.buyerId}</code></a></td>
                  <td><a href={`/admin/users?id=${d.sellerId}`}><code>{d.sellerId}</code></a></td>
                  <td class="num">{formatMoney(d.total, d.currency)}</td>
                  <td>{d.status}</td>
                  <td>{d.outcome ? `${d.outcome} ${formatTime(d.resolvedAt)}` : '—'}</td>
                  <td class="actions">
                    {d.resolvedAt === null && (
                      <>
                        <ActionForm action={`/admin/disputes/${d.orderId}/resolve`} csrf={frame.csrf} label="Refund buyer" fields={{ outcome: 'refund' }} danger />
                        <ActionForm action={`/admin/disputes/${d.orderId}/resolve`} csrf={frame.csrf} label="Release to seller" fields={{ outcome: 'release' }} />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <NextPage path="/admin/disputes" params={{ status }} cursor={nextCursor} />
      </AdminLayout>,
    )
  })
  .post('/admin/disputes/:orderId/resolve', requireAccess('disputes.resolve'), async (c) => {
    const sent = await formField(c, 'outcome')
    const outcome = outcomes.find((o) => o === sent)
    const orderId = c.req.param('orderId')
    return pageAction(c, '/admin/disputes', async () => {
      if (!outcome) throw new Problem(400, 'validation_failed', 'The outcome must be refund or release')
      const result = await resolveDisputeAsStaff(c, orderId, outcome)
      if (!result.ok) throw refusalProblem(result)
      return outcome === 'refund' ? `Refunded the buyer of ${orderId}` : `Released ${orderId} to its seller`
    })
  })

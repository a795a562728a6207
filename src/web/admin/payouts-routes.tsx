import { Hono } from 'hono'
import { decodeCursor, page } from '../../core/cursor'
import { database } from '../../db/client'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { listAllPayouts } from '../../ledger/payout-store'
import { frameOf, renderPage } from '../page-render'
import { AdminLayout, Empty, NextPage } from './admin-layout'
import { formatMoney, formatTime } from './format'

const PAGE = 50
const statuses = ['pending', 'paid', 'failed'] as const

/** `/admin/payouts` (admins): every seller's payouts newest first, by status, as `GET /v1/admin/payouts`. */
export const payoutsRoutes = new Hono<AppEnv>().get('/admin/payouts', requireAccess('payouts.oversee'), async (c) => {
  const status = statuses.find((s) => s === c.req.query('status'))
  const cursor = c.req.query('cursor')
  const rows = await listAllPayouts(database(c.env.DB), status, PAGE, cursor ? decodeCursor(cursor) : undefined)
  const { data, nextCursor } = page(rows, PAGE, (p) => p.id)
  const frame = await frameOf(c)
  return renderPage(
    c,
    <AdminLayout title="Payouts" active="/admin/payouts" {...frame}>
      <nav class="filter" aria-label="Status">
        <a href="/admin/payouts" aria-current={status === undefined ? 'true' : undefined}>all</a>
        {statuses.map((s) => (
          <a href={`/admin/payouts?status=${s}`} aria-current={s === status ? 'true' : undefined}>{s}</a>
        ))}
      </nav>
      {data.length === 0 ? (
        <Empty>No {status ?? ''} payouts.</Empty>
      ) : (
        <table>
          <thead>
            <tr><th>Payout</th><th>Seller</th><th>Amount</th><th>Status</th><th>Created</th><th>Settled</th><th>Transfer</th><th>Failure</th></tr>
          </thead>
          <tbody>
            {data.map((p) => (
              <tr id={p.id}>
                <td><code>{p.id}</code></td>
                <td><a href={`/admin/users?id=${p.sellerId}`}><code>{p.sellerId}</code></a></td>
                <td class="num">{formatMoney(p.amount, p.currency)}</td>
                <td class={`status ${p.status}`}>{p.status}</td>
                <td>{formatTime(p.createdAt)}</td>
                <td>{formatTime(p.updatedAt)}</td>
                <td>{p.transferReference ? <code>{p.transferReference}</code> : '—'}</td>
                <td>{p.failureCode ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NextPage path="/admin/payouts" params={{ status }} cursor={nextCursor} />
    </AdminLayout>,
  )
})

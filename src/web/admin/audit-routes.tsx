import { Hono } from 'hono'
import { auditActions } from '../../audit/audit-adapters'
import { auditLogStub } from '../../audit/audit-log-object'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { frameOf, renderPage } from '../page-render'
import { AdminLayout, Empty } from './admin-layout'
import { formatTime } from './format'

const PAGE = 50
const ID = /^[A-Za-z0-9_:.-]{1,40}$/

/** A filter as the JSON route takes it: an id-like string, or nothing. */
const idFilter = (v: string | undefined) => (v && ID.test(v) ? v : undefined)

/**
 * `/admin/audit` (admins): the audit log newest first, by action, actor or subject, paged by seq
 * as `GET /v1/admin/audit` is; "Verify the chain" walks the whole hash chain
 * (`GET /v1/admin/audit/verify`) and shows whether it holds, or its first break.
 */
export const auditPageRoutes = new Hono<AppEnv>().get('/admin/audit', requireAccess('audit.read'), async (c) => {
  const q = c.req.query()
  const filters = { action: auditActions.find((a) => a === q.action), actorId: idFilter(q.actorId), subjectId: idFilter(q.subjectId) }
  const before = /^\d{1,12}$/.test(q.before ?? '') ? Number(q.before) : undefined
  const stub = auditLogStub(c.env)
  const [rows, verification] = await Promise.all([stub.list({ ...filters, before, limit: PAGE + 1 }), q.verify === '1' ? stub.verify() : Promise.resolve(undefined)])
  const data = rows.slice(0, PAGE)
  const last = data.at(-1)
  const next = rows.length > PAGE && last ? new URLSearchParams({ ...definedOnly(filters), before: String(last.seq) }).toString() : null
  const frame = await frameOf(c)
  return renderPage(
    c,
    <AdminLayout title="Audit log" active="/admin/audit" {...frame}>
      <form method="get" action="/admin/audit" class="filters">
        <label>
          Action
          <select name="action">
            <option value="">any</option>
            {auditActions.map((a) => (
              <option value={a} selected={a === filters.action}>{a}</option>
            ))}
          </select>
        </label>
        <label>Actor <input name="actorId" value={filters.actorId ?? ''} maxlength={40} /></label>
        <label>Subject <input name="subjectId" value={filters.subjectId ?? ''} maxlength={40} /></label>
        <button type="submit">Filter</button>
        <button type="submit" name="verify" value="1">Verify the chain</button>
      </form>
      {verification && (
        <p class={`verdict ${verification.ok ? 'ok' : 'error'}`} role="status" id="verification">
          {verification.ok
            ? `The chain holds: ${verification.entries} entries, head ${verification.head}`
            : `The chain is broken at seq ${verification.firstBreak.seq} (${verification.firstBreak.reason}); ${verification.entries} entries before it hold`}
        </p>
      )}
      {data.length === 0 ? (
        <Empty>No entries.</Empty>
      ) : (
        <table>
          <thead>
            <tr><th>Seq</th><th>At</th><th>Actor</th><th>Action</th><th>Subject</th><th>Details</th><th>Hash</th></tr>
          </thead>
          <tbody>
            {data.map((r) => (
              <tr>
                <td class="num">{r.seq}</td>
                <td>{formatTime(r.at)}</td>
                <td><code>{r.actorId}</code></td>
                <td>{r.action}</td>
                <td>{r.subjectId ? <code>{r.subjectId}</code> : '—'}</td>
                <td><code class="details">{JSON.stringify(r.details)}</code></td>
                <td><code title={r.hash}>{r.hash.slice(0, 12)}…</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <p class="pager">
          <a href={`/admin/audit?${next}`} rel="next">Older entries →</a>
        </p>
      )}
    </AdminLayout>,
  )
})

function definedOnly(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined))
}

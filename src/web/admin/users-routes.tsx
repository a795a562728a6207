import { Hono } from 'hono'
import { setFrozen } from '../../accounts/account-freeze-routes'
import { staffUserView } from '../../accounts/admin-user-routes'
import { findUserByEmail } from '../../accounts/user-store'
import { database } from '../../db/client'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { personalDataOf } from '../../pii/pii-adapters'
import { frameOf, renderPage } from '../page-render'
import { ActionForm, AdminLayout, Empty } from './admin-layout'
import { formatTime } from './format'
import { pageAction } from './page-action'

const USER_ID = /^usr_[0-9a-hjkmnp-tv-z]{26}$/

/** The user a search names: by id, or by e-mail through its blind index (one HMAC, nothing decrypted). */
async function lookUp(c: Parameters<typeof staffUserView>[0], q: string): Promise<string | undefined> {
  if (USER_ID.test(q)) return q
  if (!q.includes('@') || q.length > 254) return undefined
  return (await findUserByEmail(database(c.env.DB), personalDataOf(c.var.settings), q))?.id
}

/**
 * `/admin/users` (support and admins): look an account up by id or e-mail and see its role,
 * standing and verification, as `GET /v1/admin/users/{id}` shows it (the read is on the record);
 * freeze or unfreeze it with the freeze route's own function.
 */
export const usersRoutes = new Hono<AppEnv>()
  .get('/admin/users', requireAccess('users.freeze'), async (c) => {
    const q = (c.req.query('id') ?? c.req.query('q') ?? '').trim()
    const id = q ? await lookUp(c, q) : undefined
    const view = id ? await staffUserView(c, id) : undefined
    const frame = await frameOf(c)
    return renderPage(
      c,
      <AdminLayout title="Users" active="/admin/users" {...frame}>
        <form method="get" action="/admin/users" class="filters">
          <label>
            User id or e-mail <input name="q" value={q} maxlength={254} required />
          </label>
          <button type="submit">Look up</button>
        </form>
        {q && !view && <Empty>No account is {q}.</Empty>}
        {view && (
          <section class="card" id="user">
            <dl>
              <dt>Id</dt><dd><code>{view.user.id}</code></dd>
              <dt>E-mail</dt><dd>{view.user.email}</dd>
              <dt>Name</dt><dd>{view.user.displayName}</dd>
              <dt>Role</dt><dd>{view.user.role}</dd>
              <dt>Standing</dt><dd class="standing">{view.erased ? 'erased' : view.user.frozen ? 'frozen' : 'active'}</dd>
              <dt>Verification</dt><dd>{view.verification}</dd>
              <dt>Payout account</dt><dd>{view.payoutAccount ?? '—'}</dd>
              <dt>Since</dt><dd>{formatTime(view.user.createdAt)}</dd>
            </dl>
            {!view.erased &&
              (view.user.frozen ? (
                <ActionForm action={`/admin/users/${view.user.id}/unfreeze`} csrf={frame.csrf} label="Unfreeze" />
              ) : (
                <ActionForm action={`/admin/users/${view.user.id}/freeze`} csrf={frame.csrf} label="Freeze" danger />
              ))}
          </section>
        )}
      </AdminLayout>,
    )
  })
  .post('/admin/users/:id/freeze', requireAccess('users.freeze'), (c) => {
    const id = c.req.param('id')
    return pageAction(c, `/admin/users?id=${encodeURIComponent(id)}`, async () => `Froze ${(await setFrozen(c, id, true)).id}: its sessions, keys and listings are stopped`)
  })
  .post('/admin/users/:id/unfreeze', requireAccess('users.freeze'), (c) => {
    const id = c.req.param('id')
    return pageAction(c, `/admin/users?id=${encodeURIComponent(id)}`, async () => `Unfroze ${(await setFrozen(c, id, false)).id}`)
  })

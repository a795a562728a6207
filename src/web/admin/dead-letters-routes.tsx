import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { readDeadLetters, replayable, replayDeadLetter } from '../../ops/dead-letter-routes'
import { frameOf, renderPage } from '../page-render'
import { returnPath } from '../return-path'
import { ActionForm, AdminLayout, Empty, NextPage } from './admin-layout'
import { formatTime } from './format'
import { formField, pageAction } from './page-action'

const PAGE = 50
/** How much of a message the table shows; the rest is a click on the JSON route away. */
const BODY_CHARS = 400

/** The list's own address for a queue (or every queue) and whether replayed letters show. */
function listPath(queue: string | undefined, all: boolean): string {
  const query = new URLSearchParams({ ...(queue ? { queue } : {}), ...(all ? { show: 'all' } : {}) }).toString()
  return query ? `/admin/dead-letters?${query}` : '/admin/dead-letters'
}


/**
 * `/admin/dead-letters`: what each queue gave up on and nobody has replayed yet (`?show=all`
 * for the replayed ones too), each with a replay button: `POST /v1/admin/dead-letters/{id}/replay`'s
 * own function, so it goes back to its queue (an event consumer's letter to that consumer only),
 * is marked replayed and is audited. The list is a read of personal data, on the record.
 */
export const deadLettersRoutes = new Hono<AppEnv>()
  .get('/admin/dead-letters', requireAccess('deadLetters.manage'), async (c) => {
    const queue = replayable.find((q) => q === c.req.query('queue'))
    const all = c.req.query('show') === 'all'
    const { data, nextCursor } = await readDeadLetters(c, { limit: PAGE, queue, cursor: c.req.query('cursor'), notReplayed: !all })
    const frame = await frameOf(c)
    const link = (q: string | undefined, showAll = all) => listPath(q, showAll)
    return renderPage(
      c,
      <AdminLayout title="Dead letters" active="/admin/dead-letters" {...frame}>
        <nav class="filter" aria-label="Queue">
          <a href={link(undefined)} aria-current={queue === undefined ? 'true' : undefined}>every queue</a>
          {[...new Set(replayable)].map((q) => (
            <a href={link(q)} aria-current={q === queue ? 'true' : undefined}>{q}</a>
          ))}
        </nav>
        <p class="hint">{all ? <a href={link(queue, false)}>Only those waiting</a> : <a href={link(queue, true)}>Replayed ones too</a>}</p>
        {data.length === 0 ? (
          <Empty>No dead letters{queue ? ` in ${queue}` : ''}{all ? '' : ' waiting'}.</Empty>
        ) : (
          <table>
            <thead>
              <tr><th>Letter</th><th>Queue</th><th>Attempts</th><th>Received</th><th>Message</th><th>Replayed</th><th></th></tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr id={d.id} class="dead-letter">
                  <td><code>{d.id}</code></td>
                  <td>{d.queue}</td>
                  <td class="num">{d.attempts}</td>
                  <td>{formatTime(d.receivedAt)}</td>
                  <td><pre class="body">{JSON.stringify(d.body).slice(0, BODY_CHARS)}</pre></td>
                  <td>{formatTime(d.replayedAt)}</td>
                  <td class="actions">
                    <ActionForm action={`/admin/dead-letters/${encodeURIComponent(d.id)}/replay`} csrf={frame.csrf} label={d.replayedAt ? 'Replay again' : 'Replay'} fields={{ back: link(queue) }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <NextPage path="/admin/dead-letters" params={{ queue, show: all ? 'all' : undefined }} cursor={nextCursor} />
      </AdminLayout>,
    )
  })
  .post('/admin/dead-letters/:id/replay', requireAccess('deadLetters.manage'), async (c) =>
    pageAction(c, returnPath(await formField(c, 'back'), '/admin/dead-letters'), async () => {
      const letter = await replayDeadLetter(c, c.req.param('id'))
      return `Replayed ${letter.id} to ${letter.queue}`
    }),
  )

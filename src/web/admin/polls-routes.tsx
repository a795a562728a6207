import { Hono } from 'hono'
import { decodeCursor, page } from '../../core/cursor'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { Problem } from '../../http/problem'
import { pollAudiences, pollTriggers, SUBJECT_PLACEHOLDER } from '../../polls/poll-audience'
import { createPoll, resultsOf } from '../../polls/poll-routes'
import { CreatePollBody } from '../../polls/poll-schemas'
import { listPolls } from '../../polls/poll-store'
import { frameOf, renderPage } from '../page-render'
import { AdminLayout, CsrfField, Empty, NextPage } from './admin-layout'
import { formatTime } from './format'
import { pageAction } from './page-action'
import { SvgBars } from './svg-bars-view'

const PAGE = 50
const scoreLabels = Array.from({ length: 11 }, (_, i) => String(i))

/**
 * `/admin/polls`: the feedback polls with how many they reached and how many answered, a form to
 * define one (created exactly as `POST /v1/admin/polls` creates it, audited the same), and each
 * poll's results at `/admin/polls/{id}` with its distribution of scores as a bar chart.
 */
export const pollsRoutes = new Hono<AppEnv>()
  .get('/admin/polls', requireAccess('polls.manage'), async (c) => {
    const cursor = c.req.query('cursor')
    const rows = await listPolls(c.env.DB, PAGE, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, PAGE, (p) => p.id)
    const frame = await frameOf(c)
    return renderPage(
      c,
      <AdminLayout title="Feedback polls" active="/admin/polls" {...frame}>
        <form method="post" action="/admin/polls" class="filters" aria-label="New poll">
          <CsrfField token={frame.csrf} />
          <label>
            Question <input name="question" maxlength={200} required size={48} placeholder={`How was buying from ${SUBJECT_PLACEHOLDER}?`} />
          </label>
          <label>
            Trigger
            <select name="trigger">
              {pollTriggers.map((t) => (
                <option value={t} selected={t === 'order.completed'}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            Audience
            <select name="audience">
              {pollAudiences.map((a) => (
                <option value={a}>{a}</option>
              ))}
            </select>
          </label>
          <button type="submit">Create poll</button>
        </form>
        {data.length === 0 ? (
          <Empty>No polls yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Question</th>
                <th>Trigger</th>
                <th>Audience</th>
                <th>Reached</th>
                <th>Answered</th>
                <th>Created</th>
                <th>Active</th>
              </tr>
            </thead>
            <tbody>
              {data.map((p) => (
                <tr id={p.id}>
                  <td><a href={`/admin/polls/${p.id}`}>{p.question}</a></td>
                  <td><code>{p.trigger}</code></td>
                  <td>{p.audience}</td>
                  <td class="num">{p.delivered}</td>
                  <td class="num">{p.answered}</td>
                  <td>{formatTime(p.createdAt)} by <code>{p.createdBy}</code></td>
                  <td>{p.active ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <NextPage path="/admin/polls" cursor={nextCursor} />
      </AdminLayout>,
    )
  })
  .post('/admin/polls', requireAccess('polls.manage'), (c) =>
    pageAction(c, '/admin/polls', async () => {
      const form = await c.req.parseBody()
      const parsed = CreatePollBody.safeParse({ question: form.question, trigger: form.trigger, audience: form.audience })
      if (!parsed.success) throw new Problem(400, 'validation_failed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
      const poll = await createPoll(c, parsed.data)
      return `Created ${poll.id}: “${poll.question}” for the ${poll.audience} on ${poll.trigger}`
    }),
  )
  .get('/admin/polls/:id', requireAccess('polls.manage'), async (c) => {
    const found = await resultsOf(c.env.DB, c.req.param('id'))
    if (!found) throw new Problem(404, 'not_found', 'No such poll')
    const { poll, delivered, results: r } = found
    const frame = await frameOf(c)
    return renderPage(
      c,
      <AdminLayout title={`Poll: ${poll.question}`} active="/admin/polls" {...frame}>
        <p>
          Put to the <strong>{poll.audience}</strong> of every order on <code>{poll.trigger}</code> since {formatTime(poll.createdAt)} (<code>{poll.id}</code>).
        </p>
        <dl class="figures">
          <dt>Reached</dt>
          <dd id="delivered">{delivered}</dd>
          <dt>Answers</dt>
          <dd id="count">{r.count}</dd>
          <dt>Average</dt>
          <dd id="average">{r.average ?? '—'}</dd>
          <dt>NPS</dt>
          <dd id="nps">{r.nps ?? '—'}</dd>
          <dt>Promoters / passives / detractors</dt>
          <dd>
            {r.promoters} / {r.passives} / {r.detractors}
          </dd>
        </dl>
        <SvgBars id="distribution" title="Answers per score (0 to 10)" labels={scoreLabels} values={r.distribution} />
        <p>
          <a href="/admin/polls">← All polls</a>
        </p>
      </AdminLayout>,
    )
  })

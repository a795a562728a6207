import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { makeStaff, register } from '../support/api'
import { flashCookie, form, logInToConsole, page, postForm, sameOrigin } from '../support/pages'

/** `/admin/polls`: the list, the form that creates a poll as the JSON route does, and each poll's results with its chart. */

async function support() {
  const who = await register('console-polls')
  await makeStaff(who.user.id, 'support')
  return { who, session: await logInToConsole(who) }
}

const pollCount = async () => (await env.DB.prepare('SELECT count(*) AS n FROM polls').first<{ n: number }>())?.n ?? 0

describe('the console’s polls page', () => {
  it('lists polls, creates one from its form (audited), and draws its results', async () => {
    const { who, session } = await support()
    const listed = await page('/admin/polls', session)
    expect(listed.status).toBe(200)
    const html = await listed.text()
    expect(html).toContain('<h1>Feedback polls</h1>')
    expect(html).toContain('href="/admin/polls" aria-current="page"')
    expect(html).toMatch(/<label>\s*Question <input name="question"/)

    const question = `How was buying from {subject}? ${crypto.randomUUID().slice(0, 8)}`
    const created = await postForm('/admin/polls', session, { question, trigger: 'order.delivered', audience: 'buyer' })
    expect(created.status).toBe(303)
    expect(created.headers.get('location')).toBe('/admin/polls')
    const after = await (await page('/admin/polls', session, {}, flashCookie(created))).text()
    const id = /Created (pol_[0-9a-z]{26})/.exec(after)?.[1]
    expect(id).toBeDefined()
    expect(after).toContain(`<tr id="${id}">`)
    const row = await env.DB.prepare('SELECT question, trigger, audience, created_by FROM polls WHERE id = ?').bind(id).first()
    expect(row).toEqual({ question, trigger: 'order.delivered', audience: 'buyer', created_by: who.user.id })
    const [entry] = await auditLogStub(env).list({ limit: 1, action: 'poll.created', subjectId: id })
    expect(entry).toMatchObject({ actorId: who.user.id })

    // Answers of 10, 10, 7 and 3: mean 7.5, NPS 50 − 25 = 25.
    const insert = env.DB.prepare("INSERT INTO poll_answers (delivery_id, poll_id, user_id, subject_id, score, comment, answered_at) VALUES (?, ?, 'usr_x', 'usr_y', ?, NULL, '2026-03-21T18:12:00.000Z')")
    await env.DB.batch([10, 10, 7, 3].map((score, i) => insert.bind(`pdv_page_${id}_${i}`, id, score)))
    const results = await page(`/admin/polls/${id}`, session)
    expect(results.status).toBe(200)
    const chart = await results.text()
    expect(chart).toContain('id="chart-distribution"')
    expect(chart).toMatch(/<dd id="count">4<\/dd>/)
    expect(chart).toMatch(/<dd id="average">7.5<\/dd>/)
    expect(chart).toMatch(/<dd id="nps">25<\/dd>/)
    const bars = [...chart.matchAll(/<rect class="bar"[^>]*data-label="(\d+)" data-value="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])])
    expect(bars).toEqual(Array.from({ length: 11 }, (_, s) => [s, s === 10 ? 2 : s === 7 || s === 3 ? 1 : 0]))
    expect((await page('/admin/polls/pol_01m9d5e7g9j1m3p5r7t9v1x3z5', session)).status).toBe(404)
  })

  it('refuses a bad poll with the problem as the flash, and a form without its token or from another origin; nothing is created', async () => {
    const { session } = await support()
    const before = await pollCount()
    const badTrigger = await postForm('/admin/polls', session, { question: 'Hm?', trigger: 'bid.placed', audience: 'buyer' })
    expect(badTrigger.status).toBe(303)
    expect(await (await page('/admin/polls', session, {}, flashCookie(badTrigger))).text()).toContain('poll_trigger_invalid')
    const empty = await postForm('/admin/polls', session, { question: '', trigger: 'order.completed', audience: 'buyer' })
    expect(await (await page('/admin/polls', session, {}, flashCookie(empty))).text()).toContain('validation_failed')
    const f = form({ question: 'Sneaky?', trigger: 'order.completed', audience: 'buyer' })
    expect((await page('/admin/polls', session, { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })).status).toBe(403)
    expect((await page('/admin/polls', session, { method: 'POST', body: f.body, headers: { ...f.headers, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
    expect(await pollCount()).toBe(before)
  })

  it('is for staff only', async () => {
    const user = await register('console-polls-user')
    const session = await logInToConsole(user)
    const refused = await page('/admin/polls', session)
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('the console is for staff')
    expect((await postForm('/admin/polls', session, { question: 'Mine?', trigger: 'order.completed', audience: 'buyer' })).status).toBe(403)
  })
})

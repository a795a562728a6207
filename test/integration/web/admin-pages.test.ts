import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { call as callApi, makeStaff, register, type Registered } from '../support/api'
import { flashCookie, logInToConsole, page, postForm } from '../support/pages'

/** Each console page, through the real worker, for an admin: it renders, and its actions do what the JSON routes do. */

async function admin(): Promise<{ who: Registered; session: string }> {
  const who = await register('console-admin')
  await makeStaff(who.user.id, 'admin')
  return { who, session: await logInToConsole(who) }
}

describe('the console’s pages', () => {
  it('renders every page for an admin, under the page policy, with its menu', async () => {
    const { session } = await admin()
    const pages = { '/admin': 'Overview', '/admin/slo': 'Service level objectives', '/admin/reviews': 'Risk reviews', '/admin/disputes': 'Disputes', '/admin/dead-letters': 'Dead letters', '/admin/audit': 'Audit log', '/admin/users': 'Users', '/admin/payouts': 'Payouts' }
    for (const [path, title] of Object.entries(pages)) {
      const res = await page(path, session)
      expect(res.status, path).toBe(200)
      const html = await res.text()
      expect(html, path).toContain(`<h1>${title}</h1>`)
      expect(html, path).toContain(`href="${path}" aria-current="page"`)
    }
    expect((await page('/admin/nothing-here', session)).status).toBe(404)
  })

  it('draws the SLO charts from the requests the worker measured', async () => {
    const { who, session } = await admin()
    // Traffic: reads of one's own account, each measured as a route point.
    await Promise.all(Array.from({ length: 12 }, () => callApi('/v1/me', { token: who.token })))
    const html = await (await page('/admin/slo?hours=1', session)).text()
    for (const chart of ['latency', 'requests', 'errors', 'burn']) expect(html).toContain(`id="chart-${chart}"`)
    const total = Number(/id="requests-total" data-total="(\d+)"/.exec(html)?.[1])
    expect(total).toBeGreaterThanOrEqual(12)
    const requests = /<path class="series s0" d="([^"]*)" data-series="requests" data-points="(\d+)"/.exec(html)
    expect(requests).not.toBeNull()
    expect(Number(requests![2])).toBeGreaterThanOrEqual(1)
    expect(requests![1]).toMatch(/^M[\d.]+,[\d.]+/)
    expect(html).toContain('GET /v1/me')
  })

  it('replays a dead letter: it leaves the list of those waiting, is marked replayed, and the replay is audited', async () => {
    const { who, session } = await admin()
    const id = `dl-console-${crypto.randomUUID()}`
    // A delivery job for a message that does not exist: replayed, the webhooks consumer acknowledges it and changes nothing.
    await env.DB.prepare('INSERT INTO dead_letters (id, queue, body, attempts, received_at) VALUES (?, ?, ?, ?, ?)')
      .bind(id, 'souk-webhooks', JSON.stringify({ messageId: 'whm_01jd3v6w2k8m4n5p6q7r8s9t0v' }), 6, new Date().toISOString())
      .run()
    expect(await (await page('/admin/dead-letters?queue=souk-webhooks', session)).text()).toContain(`id="${id}"`)

    const replayed = await postForm(`/admin/dead-letters/${id}/replay`, session, { back: '/admin/dead-letters?queue=souk-webhooks' })
    expect(replayed.status).toBe(303)
    expect(replayed.headers.get('location')).toBe('/admin/dead-letters?queue=souk-webhooks')
    const after = await (await page('/admin/dead-letters?queue=souk-webhooks', session, {}, flashCookie(replayed))).text()
    expect(after).toContain(`Replayed ${id} to souk-webhooks`)
    expect(after).not.toContain(`id="${id}"`)
    expect(await (await page('/admin/dead-letters?queue=souk-webhooks&show=all', session)).text()).toContain(`id="${id}"`)
    const row = await env.DB.prepare('SELECT replayed_at FROM dead_letters WHERE id = ?').bind(id).first<{ replayed_at: string | null }>()
    expect(row?.replayed_at).not.toBeNull()
    const [entry] = await auditLogStub(env).list({ limit: 1, action: 'dead_letter.replayed', subjectId: id })
    expect(entry).toMatchObject({ actorId: who.user.id, details: { queue: 'souk-webhooks' } })

    // An unknown letter: the flash says so, and nothing else happens.
    const missing = await postForm('/admin/dead-letters/dl-nothing/replay', session)
    expect(missing.status).toBe(303)
    expect(await (await page('/admin/dead-letters', session, {}, flashCookie(missing))).text()).toContain('not_found')
  })

  it('looks a user up by e-mail (the read on the record), and shows the audit log with its verification', async () => {
    const { who, session } = await admin()
    const ada = await register('console-ada')
    const found = await (await page(`/admin/users?q=${encodeURIComponent(ada.user.email)}`, session)).text()
    expect(found).toContain(`<code>${ada.user.id}</code>`)
    expect(found).toMatch(/class="standing">active</)
    const [read] = await auditLogStub(env).list({ limit: 1, action: 'personal_data.read', subjectId: ada.user.id })
    expect(read).toMatchObject({ actorId: who.user.id, details: { what: 'user' } })

    const audit = await (await page(`/admin/audit?action=personal_data.read&actorId=${who.user.id}&verify=1`, session)).text()
    expect(audit).toMatch(/The chain holds: \d+ entries, head [0-9a-f]{64}/)
    expect(audit).toContain(`<code>${ada.user.id}</code>`)
    expect((await page('/admin/audit?before=nonsense&action=nope', session)).status).toBe(200)
  })
})

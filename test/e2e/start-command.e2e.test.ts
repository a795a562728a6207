import { afterAll, expect, it } from 'vitest'
import { npmStart } from '../support/node/npm-start'

/**
 * The README's first command, as a newcomer runs it: `npm start` with a PORT. It must apply the
 * migrations, seed the staff account and serve on that port.
 */
let souk: Awaited<ReturnType<typeof npmStart>> | undefined

afterAll(async () => {
  await souk?.stop()
}, 20_000)

it('npm start serves Souk on PORT with migrations applied, the staff account and demo listings seeded', async () => {
  souk = await npmStart('start')
  const { port, output, child } = souk

  const deadline = Date.now() + 120_000
  let healthy = false
  while (!healthy && Date.now() < deadline && child.exitCode === null) {
    healthy = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)
    if (!healthy) await new Promise((r) => setTimeout(r, 500))
  }
  expect(healthy, output.join('')).toBe(true)

  const login = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@souk.test', password: 'souk-admin-dev-only' }),
  })
  expect(login.status).toBe(200)
  // The development limits let a load test from one machine through.
  const me = await fetch(`http://127.0.0.1:${port}/v1/me`)
  expect(me.headers.get('ratelimit-policy')).toBe('"read";q=100000;w=60')

  // Demo listings are seeded through the API, then projected into search.
  let titles: string[] = []
  while (titles.length < 3 && Date.now() < deadline) {
    const found = (await (await fetch(`http://127.0.0.1:${port}/v1/listings?limit=10`)).json()) as { data: { title: string }[] }
    titles = found.data.map((l) => l.title)
    if (titles.length < 3) await new Promise((r) => setTimeout(r, 250))
  }
  expect(titles.sort()).toEqual(['1920s brass desk lamp', 'Hand-thrown stoneware mug', 'Vintage film camera'])
}, 150_000)

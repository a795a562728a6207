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

it('npm start serves Souk on PORT with migrations applied, the staff account and a dozen demo listings with photos seeded, then prints its URL', async () => {
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

  // Once the demo listings are seeded through the API (photos and all), it says where to look.
  const ready = `Souk is running: http://127.0.0.1:${port}/`
  while (!output.join('').includes(ready) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250))
  expect(output.join(''), 'the page URL is printed').toContain(ready)
  type Found = { title: string; format: string; endsAt?: string; images: { url: string }[] }
  const found = (await (await fetch(`http://127.0.0.1:${port}/v1/listings?limit=50`)).json()) as { data: Found[] }
  expect(found.data.length).toBeGreaterThanOrEqual(12)
  expect(found.data.map((l) => l.title)).toEqual(expect.arrayContaining(['1920s brass desk lamp', 'Hand-thrown stoneware mug', 'Vintage film camera']))
  expect(found.data.filter((l) => l.images.length === 0).map((l) => l.title)).toEqual([])
  expect(new Set(found.data.map((l) => l.format))).toEqual(new Set(['fixed_price', 'auction']))
  const soon = found.data.filter((l) => l.endsAt && Date.parse(l.endsAt) - Date.now() < 10 * 60_000)
  expect(soon.length, 'auctions that end within minutes').toBeGreaterThanOrEqual(2)
  const photo = await fetch(`http://127.0.0.1:${port}${found.data[0]!.images[0]!.url}`)
  expect(photo.status).toBe(200)
  expect(photo.headers.get('content-type')).toBe('image/png')
  expect(new Uint8Array(await photo.arrayBuffer()).slice(1, 4)).toEqual(new TextEncoder().encode('PNG'))
}, 150_000)

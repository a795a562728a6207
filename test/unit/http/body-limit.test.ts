import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { bodyLimit, MAX_BODY_BYTES } from '../../../src/http/body-limit'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { captureLog, problemOf, testContext } from './harness'

function testApp() {
  const received: Uint8Array[] = []
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(testContext({ log: captureLog().log }), bodyLimit())
    .post('/upload', async (c) => {
      received.push(new Uint8Array(await c.req.arrayBuffer()))
      return c.text('stored', 201)
    })
  return { app, received }
}

/** `size` bytes that differ along the way, so a truncated or reordered body would not compare equal. */
const bytes = (size: number): Uint8Array<ArrayBuffer> => Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251)

const declared = (body: Uint8Array<ArrayBuffer>, contentLength = body.length): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/octet-stream', 'content-length': String(contentLength) },
  body,
})

/** A body with no Content-Length, delivered in chunks of `chunk` bytes, as a client streaming upload. */
function streamed(body: Uint8Array, chunk = 8 * 1024): RequestInit {
  let offset = 0
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (offset >= body.length) return controller.close()
      controller.enqueue(body.slice(offset, offset + chunk))
      offset += chunk
    },
  })
  // `duplex` is in the Fetch standard but in neither the DOM nor the Workers `RequestInit` type; Node requires it.
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: stream,
    duplex: 'half',
  }
  return init
}

describe('bodyLimit', () => {
  it('is 64 KiB', () => {
    expect(MAX_BODY_BYTES).toBe(65_536)
  })

  describe('with a Content-Length', () => {
    it('answers a body one byte over the limit with 413 payload_too_large, before the handler', async () => {
      const { app, received } = testApp()

      const body = await problemOf(await app.request('/upload', declared(bytes(MAX_BODY_BYTES + 1))), 413)

      expect(body).toMatchObject({ code: 'payload_too_large', detail: 'The body must be at most 65536 bytes' })
      expect(received).toHaveLength(0)
    })

    it('refuses on the declared length alone, without reading the body', async () => {
      const { app, received } = testApp()

      const res = await app.request('/upload', declared(bytes(10), MAX_BODY_BYTES + 1))

      expect((await problemOf(res, 413)).code).toBe('payload_too_large')
      expect(received).toHaveLength(0)
    })

    it('passes a body of exactly 64 KiB to the handler whole', async () => {
      const { app, received } = testApp()
      const sent = bytes(MAX_BODY_BYTES)

      const res = await app.request('/upload', declared(sent))

      expect(res.status).toBe(201)
      expect(received).toEqual([sent])
    })
  })

  describe('without a Content-Length (streamed)', () => {
    it('answers a stream that grows past the limit with 413, before the handler', async () => {
      const { app, received } = testApp()
      const init = streamed(bytes(MAX_BODY_BYTES + 1))
      expect(new Headers(init.headers).has('content-length')).toBe(false)

      const body = await problemOf(await app.request('/upload', init), 413)

      expect(body.code).toBe('payload_too_large')
      expect(received).toHaveLength(0)
    })

    it('refuses a long stream of small chunks too', async () => {
      const { app, received } = testApp()

      const res = await app.request('/upload', streamed(bytes(3 * MAX_BODY_BYTES), 1000))

      expect((await problemOf(res, 413)).code).toBe('payload_too_large')
      expect(received).toHaveLength(0)
    })

    it('hands the handler the full body when the stream stays within the limit', async () => {
      const { app, received } = testApp()
      const sent = bytes(MAX_BODY_BYTES)

      const res = await app.request('/upload', streamed(sent, 5000))

      expect(res.status).toBe(201)
      expect(received).toEqual([sent])
    })

    it('lets a JSON body under the limit be parsed by the handler', async () => {
      const app = new Hono<AppEnv>()
        .onError(renderProblem)
        .use(bodyLimit())
        .post('/json', async (c) => c.json(await c.req.json<unknown>()))
      const sent = { title: 'Brass lamp', note: 'x'.repeat(1000) }

      const res = await app.request('/json', {
        ...streamed(new TextEncoder().encode(JSON.stringify(sent)), 100),
        headers: { 'content-type': 'application/json' },
      })

      expect(res.status).toBe(200)
      expect(await res.json()).toEqual(sent)
    })
  })

  it('lets a bodiless request through', async () => {
    const app = new Hono<AppEnv>().onError(renderProblem).use(bodyLimit()).get('/t', (c) => c.text('handler ran'))

    const res = await app.request('/t')

    expect(await res.text()).toBe('handler ran')
  })

  it('takes a smaller limit when given one', async () => {
    const app = new Hono<AppEnv>().onError(renderProblem).use(bodyLimit(100)).post('/t', (c) => c.text('handler ran'))

    expect((await problemOf(await app.request('/t', declared(bytes(101))), 413)).detail).toBe('The body must be at most 100 bytes')
    expect(await (await app.request('/t', declared(bytes(100)))).text()).toBe('handler ran')
  })

  it('gives a larger route its own limit, by method and path, and every other request the default', async () => {
    const larger = [{ method: 'POST', path: /^\/photos\/[^/]+$/, maxSize: 300 }]
    const app = new Hono<AppEnv>()
      .onError(renderProblem)
      .use(bodyLimit(100, larger))
      .on(['POST', 'PUT'], '/photos/:id', async (c) => c.text(String((await c.req.arrayBuffer()).byteLength)))
      .post('/photos/:id/more', async (c) => c.text(String((await c.req.arrayBuffer()).byteLength)))

    expect(await (await app.request('/photos/1', declared(bytes(300)))).text()).toBe('300')
    expect(await (await app.request('/photos/1', streamed(bytes(300), 64))).text()).toBe('300')
    expect((await problemOf(await app.request('/photos/1', declared(bytes(301))), 413)).detail).toBe('The body must be at most 300 bytes')
    expect((await problemOf(await app.request('/photos/1', streamed(bytes(301), 64)), 413)).detail).toBe('The body must be at most 300 bytes')
    // Another method on the same path, or another path, keeps the default.
    await problemOf(await app.request('/photos/1', { ...declared(bytes(101)), method: 'PUT' }), 413)
    await problemOf(await app.request('/photos/1/more', declared(bytes(101))), 413)
  })
})

import { describe, expect, it } from 'vitest'
import { fromBase64, toBase64Url } from '../../../src/core/bytes'
import { sendWebPush, type PushSubscriptionKeys, type VapidConfig } from '../../../src/notifications/web-push-client'
import { vapidKeysProblem } from '../../../src/notifications/vapid-keys'
import { vapidKeyPair } from '../../support/vapid'
import { scriptedFetch as fakeFetch, type RecordedRequest as Recorded } from '../../support/fake-fetch'
import { createBrowserSubscription, decryptAes128gcm, verifyVapidAuthorization, type BrowserSubscription } from '../../support/web-push-receiver'

/**
 * Runs inside workerd: @block65/webcrypto-web-push encrypts and signs with the runtime's WebCrypto,
 * and an independent browser-side implementation (test/support/web-push-receiver.ts) reads what it sent.
 */

const ENDPOINT = 'https://push.example.net/wpush/v2/gAAAAABm-subscription-token'
const NOW = Date.parse('2030-01-15T12:00:00.000Z')

async function vapidKeys(): Promise<{ vapid: VapidConfig; publicKey: string }> {
  const { publicKey, privateKey } = await vapidKeyPair()
  // The form scripts/vapid-keys.ts prints and the settings check.
  expect(vapidKeysProblem(publicKey, privateKey)).toBeNull()
  return { vapid: { publicKey, privateKey, subject: 'mailto:push@souk.example' }, publicKey }
}

const payload = { title: 'You were outbid', body: 'Someone bid 40.00 USD on “Brass lamp”.', data: { listingId: 'lst_7Q', amount: { amount: 4000, currency: 'USD' }, tags: ['bid', 'ü'] } }

async function decrypt(call: Recorded, browser: BrowserSubscription): Promise<unknown> {
  return JSON.parse(await decryptAes128gcm(call.bytes, browser.privateKey, browser.publicKey, browser.authSecret))
}

/** RFC 8188: salt(16) | rs(4) | idlen(1) | keyid(65) | one record; every message is this size. */
const PADDED_BODY_BYTES = 4096

describe('sendWebPush', () => {
  it('posts a message only the subscribed browser can read, signed with the VAPID key', async () => {
    const { vapid, publicKey } = await vapidKeys()
    const browser = await createBrowserSubscription(ENDPOINT)
    const f = fakeFetch(new Response(null, { status: 201, headers: { location: 'https://push.example.net/m/msg-1' } }))
    const outcome = await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 3600, topic: 'order-ord_42', urgency: 'high' }, NOW)
    expect(outcome).toEqual({ kind: 'sent', providerId: 'https://push.example.net/m/msg-1' })
    expect(f.calls).toHaveLength(1)
    const call = f.calls[0]!
    expect(call).toMatchObject({ url: ENDPOINT, method: 'POST', redirect: 'manual' })
    expect(await decrypt(call, browser)).toEqual(payload)
    expect(call.headers.get('content-encoding')).toBe('aes128gcm')
    expect(call.headers.get('content-type')).toBe('application/octet-stream')
    expect(call.headers.get('ttl')).toBe('3600')
    expect(call.headers.get('topic')).toBe('order-ord_42')
    expect(call.headers.get('urgency')).toBe('high')
    // The sender's ephemeral key rides in the header as the record's key id (RFC 8291 §4).
    expect([call.bytes[20], call.bytes[21]]).toEqual([65, 0x04])
    const signedAt = Date.now()
    const claims = await verifyVapidAuthorization(call.headers.get('authorization')!, 'https://push.example.net', publicKey, signedAt)
    expect(claims.sub).toBe('mailto:push@souk.example')
    // The library dates the token by the real clock and gives it 12 hours (RFC 8292 allows 24).
    expect(Math.abs(claims.exp - (signedAt / 1000 + 12 * 3600))).toBeLessThan(60)
  })

  it('encrypts afresh for every message and reads nothing with another browser’s secret', async () => {
    const { vapid } = await vapidKeys()
    const browser = await createBrowserSubscription(ENDPOINT)
    const f = fakeFetch(new Response(null, { status: 201 }), new Response(null, { status: 201 }))
    await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 60 }, NOW)
    await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 60 }, NOW)
    const [a, b] = f.calls as [Recorded, Recorded]
    expect(toBase64Url(a.bytes)).not.toBe(toBase64Url(b.bytes))
    expect(a.bytes.slice(0, 16)).not.toEqual(b.bytes.slice(0, 16)) // a fresh salt each time
    const stranger = await createBrowserSubscription(ENDPOINT)
    await expect(decryptAes128gcm(a.bytes, browser.privateKey, browser.publicKey, stranger.authSecret)).rejects.toThrow()
    await expect(decryptAes128gcm(a.bytes, stranger.privateKey, stranger.publicKey, browser.authSecret)).rejects.toThrow()
  })

  it('pads every message to one size, so its length says nothing of what it says', async () => {
    const { vapid } = await vapidKeys()
    const browser = await createBrowserSubscription(ENDPOINT)
    const f = fakeFetch(new Response(null, { status: 201 }), new Response(null, { status: 201 }))
    await sendWebPush(f.fn, vapid, browser.keys, { title: 'Hi', body: '' }, { ttlSeconds: 60 }, NOW)
    await sendWebPush(f.fn, vapid, browser.keys, { ...payload, body: 'x'.repeat(2000) }, { ttlSeconds: 60 }, NOW)
    expect(f.calls.map((c) => c.bytes.length)).toEqual([PADDED_BODY_BYTES, PADDED_BODY_BYTES])
    expect(await decrypt(f.calls[0]!, browser)).toEqual({ title: 'Hi', body: '', data: {} })
  })

  it('refuses, without calling the push service, a message too large for one record', async () => {
    const { vapid } = await vapidKeys()
    const browser = await createBrowserSubscription(ENDPOINT)
    const f = fakeFetch()
    const outcome = await sendWebPush(f.fn, vapid, browser.keys, { ...payload, body: 'x'.repeat(5000) }, { ttlSeconds: 60 }, NOW)
    expect(outcome).toMatchObject({ kind: 'refused', status: 0, reason: expect.stringMatching(/^web push: .*maximum/) })
    expect(f.calls).toHaveLength(0)
  })

  it('leaves out a topic RFC 8030 forbids and urgency when none is given, and keeps the TTL within 1 minute to 24 hours', async () => {
    const { vapid } = await vapidKeys()
    const browser = await createBrowserSubscription(ENDPOINT)
    const f = fakeFetch(...Array.from({ length: 4 }, () => new Response(null, { status: 201 })))
    await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 0, topic: 'order updated!' }, NOW)
    await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 10 * 86_400, topic: 'a'.repeat(33) }, NOW)
    await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 90.7, topic: 'a'.repeat(32) }, NOW)
    await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 86_400, urgency: 'low' }, NOW)
    expect(f.calls.map((c) => [c.headers.get('ttl'), c.headers.get('topic'), c.headers.get('urgency')])).toEqual([
      ['60', null, null],
      ['86400', null, null],
      ['90', 'a'.repeat(32), null],
      ['86400', null, 'low'],
    ])
  })

  const answers: Array<[string, Response | Error, unknown]> = [
    ['202 without a location is sent', new Response(null, { status: 202 }), { kind: 'sent' }],
    ['404 is gone', new Response('not found', { status: 404 }), { kind: 'gone', status: 404 }],
    ['410 is gone', new Response(null, { status: 410 }), { kind: 'gone', status: 410 }],
    ['429 with Retry-After: 30 is retried after 30 s', new Response(null, { status: 429, headers: { 'retry-after': '30' } }), { kind: 'retry', status: 429, retryAfterSeconds: 30 }],
    ['503 is retried', new Response('busy', { status: 503 }), { kind: 'retry', status: 503 }],
    ['a network failure is retried', new TypeError('connection reset'), { kind: 'retry', status: 0 }],
    ['400 is refused with what the service said', new Response('{"errno":111,"message":"Missing TTL header"}', { status: 400 }), { kind: 'refused', status: 400, reason: '{"errno":111,"message":"Missing TTL header"}' }],
    ['403 with no body is refused', new Response(null, { status: 403 }), { kind: 'refused', status: 403, reason: 'push service answered 403' }],
    ['413 is refused', new Response(null, { status: 413 }), { kind: 'refused', status: 413, reason: 'payload too large' }],
    ['301 is refused, not followed', new Response(null, { status: 301, headers: { location: 'https://elsewhere.example/' } }), { kind: 'refused', status: 301, reason: 'push service redirected' }],
  ]
  it.each(answers)('%s', async (_name, answer, expected) => {
    const { vapid } = await vapidKeys()
    const browser = await createBrowserSubscription(ENDPOINT)
    const f = fakeFetch(answer)
    expect(await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 600 }, NOW)).toEqual(expected)
    expect(f.calls).toHaveLength(1)
  })

  it('refuses, without calling the push service, a subscription the library cannot encrypt for', async () => {
    const { vapid } = await vapidKeys()
    const { keys } = await createBrowserSubscription(ENDPOINT)
    const broken: PushSubscriptionKeys[] = [
      { ...keys, p256dh: keys.p256dh.slice(0, 40) },
      { ...keys, auth: toBase64Url(new Uint8Array(8)) },
      { ...keys, endpoint: 'http://push.example.net/plain-http' },
    ]
    const f = fakeFetch()
    for (const sub of broken) expect(await sendWebPush(f.fn, vapid, sub, payload, { ttlSeconds: 600 }, NOW)).toMatchObject({ kind: 'refused', status: 0, reason: expect.stringMatching(/^web push: /) })
    expect(f.calls).toHaveLength(0)
  })
})

describe('the test receiver', () => {
  // RFC 8291 §5: the published keys, salt and body, so decryptAes128gcm is known right before anything relies on it.
  it('decrypts the RFC 8291 example message', async () => {
    const uaPublic = fromBase64('BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4')!
    const jwk = { kty: 'EC', crv: 'P-256', x: toBase64Url(uaPublic.slice(1, 33)), y: toBase64Url(uaPublic.slice(33)), d: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94' }
    const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])
    const body = fromBase64(
      'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
    )!
    const auth = fromBase64('BTBZMqHH6r4Tts7J_aSIgg')!
    expect(await decryptAes128gcm(body, privateKey, uaPublic, auth)).toBe('When I grow up, I want to be a watermelon')
    await expect(decryptAes128gcm(body, privateKey, uaPublic, new Uint8Array(16))).rejects.toThrow()
  })

  it('rejects a VAPID header with another key, a forged signature or the wrong audience', async () => {
    const { vapid, publicKey } = await vapidKeys()
    const other = await vapidKeys()
    const browser = await createBrowserSubscription(ENDPOINT)
    const f = fakeFetch(new Response(null, { status: 201 }))
    await sendWebPush(f.fn, vapid, browser.keys, payload, { ttlSeconds: 600 }, NOW)
    const header = f.calls[0]!.headers.get('authorization')!
    const now = Date.now()
    await expect(verifyVapidAuthorization(header, 'https://push.example.net', publicKey, now)).resolves.toMatchObject({ aud: 'https://push.example.net' })
    await expect(verifyVapidAuthorization(header, 'https://push.example.net', other.publicKey, now)).rejects.toThrow(/not the application server key/)
    const forged = header.replace(`k=${publicKey}`, `k=${other.publicKey}`)
    await expect(verifyVapidAuthorization(forged, 'https://push.example.net', other.publicKey, now)).rejects.toThrow(/does not verify/)
    await expect(verifyVapidAuthorization(header, 'https://fcm.googleapis.com', publicKey, now)).rejects.toThrow(/aud/)
    await expect(verifyVapidAuthorization(header, 'https://push.example.net', publicKey, now + 2 * 86_400_000)).rejects.toThrow(/exp/)
  })
})

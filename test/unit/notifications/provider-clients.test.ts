import { describe, expect, it } from 'vitest'
import { retryAfterSeconds } from '../../../src/notifications/provider-outcome'
import { sendResendEmail, type ResendConfig } from '../../../src/notifications/resend-email-client'
import { sendTwilioSms, type TwilioConfig } from '../../../src/notifications/twilio-sms-client'
import { scriptedFetch as fakeFetch, type RecordedRequest as Recorded } from '../../support/fake-fetch'

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

const NOW = Date.parse('2030-01-15T12:00:00.000Z')
const NINETY_SECONDS_LATER = 'Tue, 15 Jan 2030 12:01:30 GMT'

describe('retryAfterSeconds', () => {
  it.each([
    ['no header', null, undefined],
    ['an empty header', '', undefined],
    ['delta-seconds', '120', 120],
    ['delta-seconds with spaces', ' 7 ', 7],
    ['zero seconds', '0', 0],
    ['an HTTP date 90 s ahead', NINETY_SECONDS_LATER, 90],
    ['an HTTP date 1 s ahead', 'Tue, 15 Jan 2030 12:00:01 GMT', 1],
    ['an HTTP date in the past', 'Tue, 15 Jan 2030 11:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
  ])('%s', (_name, header, expected) => {
    expect(retryAfterSeconds(header, NOW)).toBe(expected)
  })

  it('rounds a fractional wait up, never down to an early retry', () => {
    expect(retryAfterSeconds('Tue, 15 Jan 2030 12:00:02 GMT', NOW - 500)).toBe(3)
  })
})

describe('sendResendEmail', () => {
  const cfg: ResendConfig = { apiBase: 'https://api.resend.test', apiKey: 're_secret', from: 'Souk <no-reply@souk.test>' }
  const message = { to: 'ada@example.com', subject: 'Your order shipped', text: 'Order ord_1 is on its way.', idempotencyKey: 'ntf_42:email' }

  it('posts the message as JSON to /emails with bearer auth and the idempotency key', async () => {
    const f = fakeFetch(json(200, { id: 'em_1' }))
    await sendResendEmail(f.fn, cfg, message, NOW)
    expect(f.calls).toHaveLength(1)
    const [call] = f.calls
    expect(call!.method).toBe('POST')
    expect(call!.url).toBe('https://api.resend.test/emails')
    expect(call!.headers.get('authorization')).toBe('Bearer re_secret')
    expect(call!.headers.get('content-type')).toBe('application/json')
    expect(call!.headers.get('idempotency-key')).toBe('ntf_42:email')
    expect(JSON.parse(call!.body)).toStrictEqual({ from: 'Souk <no-reply@souk.test>', to: ['ada@example.com'], subject: 'Your order shipped', text: 'Order ord_1 is on its way.' })
  })

  it.each([
    ['2xx with an id is sent under that id', json(200, { id: 'em_1' }), { kind: 'sent', providerId: 'em_1' }],
    ['2xx without a readable body is still sent', new Response('ok', { status: 202 }), { kind: 'sent' }],
    ['429 is retried after its Retry-After seconds', json(429, { name: 'rate_limit_exceeded' }, { 'retry-after': '30' }), { kind: 'retry', status: 429, retryAfterSeconds: 30 }],
    ['503 is retried after its Retry-After date', json(503, {}, { 'retry-after': NINETY_SECONDS_LATER }), { kind: 'retry', status: 503, retryAfterSeconds: 90 }],
    ['500 without Retry-After is retried with no wait given', new Response('boom', { status: 500 }), { kind: 'retry', status: 500 }],
    ['409 (key in use concurrently) is retried', json(409, { name: 'concurrent_idempotent_requests', message: 'Same key in flight' }), { kind: 'retry', status: 409 }],
    ['422 is refused with the message', json(422, { name: 'validation_error', message: 'Invalid `to` field.' }), { kind: 'refused', status: 422, reason: 'Invalid `to` field.' }],
    ['403 without a message is refused with the name', json(403, { name: 'invalid_from_address' }), { kind: 'refused', status: 403, reason: 'invalid_from_address' }],
    ['401 with no JSON is refused with the status', new Response('nope', { status: 401 }), { kind: 'refused', status: 401, reason: 'resend answered 401' }],
  ])('%s', async (_name, answer, expected) => {
    const f = fakeFetch(answer)
    expect(await sendResendEmail(f.fn, cfg, message, NOW)).toStrictEqual(expected)
    expect(f.calls).toHaveLength(1)
  })

  it('cuts a long refusal reason to 200 characters', async () => {
    const long = 'x'.repeat(150) + 'y'.repeat(150)
    const f = fakeFetch(json(400, { name: 'validation_error', message: long }))
    expect(await sendResendEmail(f.fn, cfg, message, NOW)).toStrictEqual({ kind: 'refused', status: 400, reason: long.slice(0, 200) })
  })

  it('retries with status 0 when fetch throws', async () => {
    const f = fakeFetch(new TypeError('network down'))
    expect(await sendResendEmail(f.fn, cfg, message, NOW)).toStrictEqual({ kind: 'retry', status: 0 })
    expect(f.calls).toHaveLength(1)
  })
})

describe('sendTwilioSms', () => {
  const cfg: TwilioConfig = { apiBase: 'https://api.twilio.test', accountSid: 'AC0123', authToken: 'tok:en', from: '+15005550006' }
  const message = { to: '+33612345678', body: 'Code 1234 & more = fun + games' }
  const basic = (h: string | null) => (h?.startsWith('Basic ') ? atob(h.slice('Basic '.length)) : null)
  const form = (call: Recorded) => [...new URLSearchParams(call.body).entries()].sort(([a], [b]) => a.localeCompare(b))

  it('posts a form to the account Messages.json with basic auth and From', async () => {
    const f = fakeFetch(json(201, { sid: 'SM1' }))
    await sendTwilioSms(f.fn, cfg, message, NOW)
    expect(f.calls).toHaveLength(1)
    const [call] = f.calls
    expect(call!.method).toBe('POST')
    expect(call!.url).toBe('https://api.twilio.test/2010-04-01/Accounts/AC0123/Messages.json')
    expect(basic(call!.headers.get('authorization'))).toBe('AC0123:tok:en')
    expect(call!.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    expect(form(call!)).toStrictEqual([
      ['Body', 'Code 1234 & more = fun + games'],
      ['From', '+15005550006'],
      ['To', '+33612345678'],
    ])
  })

  it('sends through a Messaging Service when `from` is an MG SID', async () => {
    const f = fakeFetch(json(201, { sid: 'SM1' }))
    await sendTwilioSms(f.fn, { ...cfg, from: 'MG9752274e9e519418a7406176694466fa' }, message, NOW)
    expect(form(f.calls[0]!)).toStrictEqual([
      ['Body', 'Code 1234 & more = fun + games'],
      ['MessagingServiceSid', 'MG9752274e9e519418a7406176694466fa'],
      ['To', '+33612345678'],
    ])
  })

  it.each([
    ['a body over 1,600 characters is cut to 1,600', 'a'.repeat(1601) + 'b'.repeat(400), 'a'.repeat(1600)],
    ['a body of exactly 1,600 characters is kept whole', 'c'.repeat(1600), 'c'.repeat(1600)],
    ['an emoji across the limit is dropped, not split', 'd'.repeat(1599) + '😀' + 'e', 'd'.repeat(1599)],
  ])('%s', async (_name, body, sent) => {
    const f = fakeFetch(json(201, { sid: 'SM1' }))
    await sendTwilioSms(f.fn, cfg, { ...message, body }, NOW)
    expect(new URLSearchParams(f.calls[0]!.body).get('Body')).toBe(sent)
  })

  it.each([
    ['201 is sent under the message SID', json(201, { sid: 'SMabc', status: 'queued' }), { kind: 'sent', providerId: 'SMabc' }],
    ['2xx without a readable body is still sent', new Response('', { status: 201 }), { kind: 'sent' }],
    ['429 is retried after its Retry-After seconds', json(429, { code: 20429, message: 'Too Many Requests' }, { 'retry-after': '12' }), { kind: 'retry', status: 429, retryAfterSeconds: 12 }],
    ['503 is retried after its Retry-After date', json(503, {}, { 'retry-after': NINETY_SECONDS_LATER }), { kind: 'retry', status: 503, retryAfterSeconds: 90 }],
    ['500 without Retry-After is retried with no wait given', new Response('boom', { status: 500 }), { kind: 'retry', status: 500 }],
    ['400 21211 (invalid To) is gone', json(400, { code: 21211, message: "The 'To' number is not a valid phone number." }), { kind: 'gone', status: 400 }],
    ['400 21610 (recipient sent STOP) is gone', json(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' }), { kind: 'gone', status: 400 }],
    ['400 21614 (not a mobile number) is gone', json(400, { code: 21614, message: "'To' number is not a valid mobile number" }), { kind: 'gone', status: 400 }],
    [
      '400 21408 (region not enabled) is refused with code and message',
      json(400, { code: 21408, message: 'Permission to send an SMS has not been enabled for the region' }),
      { kind: 'refused', status: 400, reason: 'twilio 21408: Permission to send an SMS has not been enabled for the region' },
    ],
    ['401 (bad credentials) is refused', json(401, { code: 20003, message: 'Authenticate' }), { kind: 'refused', status: 401, reason: 'twilio 20003: Authenticate' }],
    ['a gone code outside a 400 is only refused', json(404, { code: 21211, message: 'odd' }), { kind: 'refused', status: 404, reason: 'twilio 21211: odd' }],
    ['401 with no JSON is refused with the status', new Response('nope', { status: 401 }), { kind: 'refused', status: 401, reason: 'twilio 401: no message' }],
  ])('%s', async (_name, answer, expected) => {
    const f = fakeFetch(answer)
    expect(await sendTwilioSms(f.fn, cfg, message, NOW)).toStrictEqual(expected)
    expect(f.calls).toHaveLength(1)
  })

  it('cuts a long refusal reason to 200 characters', async () => {
    const f = fakeFetch(json(400, { code: 21408, message: 'z'.repeat(300) }))
    expect(await sendTwilioSms(f.fn, cfg, message, NOW)).toStrictEqual({ kind: 'refused', status: 400, reason: `twilio 21408: ${'z'.repeat(300)}`.slice(0, 200) })
  })

  it('retries with status 0 when fetch throws, without trying again itself', async () => {
    const f = fakeFetch(new TypeError('network down'), json(201, { sid: 'SM2' }))
    expect(await sendTwilioSms(f.fn, cfg, message, NOW)).toStrictEqual({ kind: 'retry', status: 0 })
    expect(f.calls).toHaveLength(1)
  })
})

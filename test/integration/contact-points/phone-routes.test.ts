import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { call, json, register, type Json, type Registered } from '../support/api'
import { verifyPhone } from '../support/contact-points'
import { settingsOf } from '../../../src/config'
import { personalDataOf } from '../../../src/pii/pii-adapters'

type PhoneView = { phone: string | null; verifiedAt: string | null; pending: { phone: string; expiresAt: string } | null }
type PhoneRowInDb = { phone: string | null; verified_at: string | null; pending_phone: string | null; code_hash: string | null; code_sent_at: string | null; code_expires_at: string | null; code_attempts: number }
type OutboxMessage = { channel: string; recipient: string; body: string; notificationId: string }

const putPhone = (u: Registered, phone: string) => call('/v1/me/phone', { method: 'PUT', token: u.token, json: { phone } })
const enterCode = (u: Registered, code: string) => call('/v1/me/phone/verify', { method: 'POST', token: u.token, json: { code } })
const getPhone = async (u: Registered) => json<PhoneView>(await call('/v1/me/phone', { token: u.token }))
/** The stored row with its numbers opened: they are sealed at rest (a number in the clear fails the test). */
async function rowOf(u: Registered): Promise<PhoneRowInDb | null> {
  const row = await env.DB.prepare('SELECT * FROM phone_numbers WHERE user_id = ?').bind(u.user.id).first<PhoneRowInDb>()
  if (!row) return row
  const pd = personalDataOf(settingsOf(env))
  const open = async (stored: string | null) => {
    if (stored === null) return null
    expect(stored).toMatch(/^v1\.dev1\./)
    return pd.open('phone_numbers.phone', u.user.id, stored)
  }
  return { ...row, phone: await open(row.phone), pending_phone: await open(row.pending_phone) }
}

/** The verification texts the person got, newest first, read off the development outbox. */
async function codeTexts(u: Registered): Promise<OutboxMessage[]> {
  const outbox = await json<{ data: OutboxMessage[] }>(await call('/v1/dev/outbox', { token: u.token }))
  return outbox.data.filter((m) => m.channel === 'sms' && m.notificationId.startsWith('vrf_'))
}

/** The code texted to `phone`; fails the test when there is not exactly one text to it. */
async function codeSentTo(u: Registered, phone: string): Promise<string> {
  const texts = (await codeTexts(u)).filter((m) => m.recipient === phone)
  expect(texts, `texts to ${phone}`).toHaveLength(1)
  const code = /\b(\d{6})\b/.exec(texts[0]?.body ?? '')?.[1]
  if (!code) throw new Error(`no six-digit code in ${JSON.stringify(texts[0])}`)
  return code
}

/** A six-digit code that is certainly not `code`. */
const wrongFor = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

/** Moves the last code's sending a minute and a second into the past, as if the person had waited. */
const aMinuteLater = (u: Registered) =>
  env.DB.prepare('UPDATE phone_numbers SET code_sent_at = ? WHERE user_id = ?').bind(new Date(Date.now() - 61_000).toISOString(), u.user.id).run()

/** A French mobile number no other test uses, as a person types it and in E.164. */
function frenchMobile(): { typed: string; e164: string } {
  const digits = String(crypto.getRandomValues(new Uint32Array(1))[0]! % 100_000_000).padStart(8, '0')
  return { typed: `+33 6 ${digits.match(/\d\d/g)!.join(' ')}`, e164: `+336${digits}` }
}

describe('PUT /v1/me/phone and POST /v1/me/phone/verify', () => {
  it.each([
    ['+33 6 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    ['+1 (555) 010-4477', '+15550104477'],
  ])('texts a code to %s as %s, and the code makes it the number SMS goes to', async (typed, e164) => {
    const u = await register('phone')
    expect(await getPhone(u)).toEqual({ phone: null, verifiedAt: null, pending: null })

    const before = Date.now()
    const put = await putPhone(u, typed)
    expect(put.status).toBe(202)
    const pending = await json<PhoneView>(put)
    expect(pending).toEqual({ phone: null, verifiedAt: null, pending: { phone: e164, expiresAt: expect.any(String) } })
    // Valid ten minutes from when it was sent.
    const expiresIn = Date.parse(pending.pending!.expiresAt) - before
    expect(expiresIn).toBeGreaterThan(9 * 60_000)
    expect(expiresIn).toBeLessThanOrEqual(10 * 60_000 + 60_000)
    expect(await getPhone(u)).toEqual(pending)
    const code = await codeSentTo(u, e164)
    expect(await rowOf(u)).toMatchObject({ phone: null, pending_phone: e164 })

    const verified = await enterCode(u, code)
    expect(verified.status).toBe(200)
    const view = await json<PhoneView>(verified)
    expect(view).toEqual({ phone: e164, verifiedAt: expect.any(String), pending: null })
    expect(Number.isNaN(Date.parse(view.verifiedAt!))).toBe(false)
    expect(await getPhone(u)).toEqual(view)
    expect(await rowOf(u)).toMatchObject({ phone: e164, pending_phone: null, code_hash: null })
  })

  it('stores only a keyed hash of the code, never the code', async () => {
    const u = await register('phone-hash')
    const { typed, e164 } = frenchMobile()
    expect((await putPhone(u, typed)).status).toBe(202)
    const code = await codeSentTo(u, e164)
    const row = await rowOf(u)
    expect(row?.code_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(row)).not.toContain(code)
    // Not a bare hash of the code either, which a table of a million hashes would undo.
    const bare = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(code))), (b) => b.toString(16).padStart(2, '0')).join('')
    expect(row?.code_hash).not.toBe(bare)
  })

  it('keeps texting the verified number until the code for a new one is entered', async () => {
    const u = await register('phone-change')
    const old = await verifyPhone(u)
    const { verified_at: verifiedAt } = (await rowOf(u))!
    await aMinuteLater(u)
    const next = frenchMobile()

    const put = await putPhone(u, next.typed)
    expect(put.status).toBe(202)
    expect(await json(put)).toEqual({ phone: old, verifiedAt, pending: { phone: next.e164, expiresAt: expect.any(String) } })
    const code = await codeSentTo(u, next.e164)
    expect(await rowOf(u)).toMatchObject({ phone: old, verified_at: verifiedAt, pending_phone: next.e164 })

    const wrong = await enterCode(u, wrongFor(code))
    expect(wrong.status).toBe(422)
    expect((await getPhone(u)).phone).toBe(old)

    const ok = await enterCode(u, code)
    expect(ok.status).toBe(200)
    expect(await json(ok)).toEqual({ phone: next.e164, verifiedAt: expect.any(String), pending: null })
    expect(await rowOf(u)).toMatchObject({ phone: next.e164, pending_phone: null })
  })

  it('counts down wrong codes, 4 to 0, and then refuses even the right one', async () => {
    const u = await register('phone-wrong')
    const { typed, e164 } = frenchMobile()
    expect((await putPhone(u, typed)).status).toBe(202)
    const code = await codeSentTo(u, e164)

    const left: unknown[] = []
    for (let i = 0; i < 5; i++) {
      const res = await enterCode(u, wrongFor(code))
      expect(res.status).toBe(422)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      const body = await json(res)
      expect(body).toMatchObject({ status: 422, code: 'code_invalid' })
      left.push(body.attemptsLeft)
    }
    expect(left).toEqual([4, 3, 2, 1, 0])
    expect(await getPhone(u)).toEqual({ phone: null, verifiedAt: null, pending: null })

    const right = await enterCode(u, code)
    expect(right.status).toBe(422)
    expect(await json(right)).toMatchObject({ code: 'code_expired' })
    expect(await rowOf(u)).toMatchObject({ phone: null, code_attempts: 5 })
  })

  it('counts every one of 20 parallel guesses before comparing it: five are spent, none shared, the code is dead', async () => {
    const u = await register('phone-race')
    const { typed, e164 } = frenchMobile()
    expect((await putPhone(u, typed)).status).toBe(202)
    const code = await codeSentTo(u, e164)

    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await enterCode(u, wrongFor(code))
        return { status: res.status, body: await json(res) }
      }),
    )
    expect(answers.every((a) => a.status === 422)).toBe(true)
    const invalid = answers.filter((a) => a.body.code === 'code_invalid')
    const expired = answers.filter((a) => a.body.code === 'code_expired')
    expect(invalid.length + expired.length).toBe(20)
    // Each counted guess saw its own count: attemptsLeft 4, 3, 2, 1, 0 once each.
    expect(invalid.map((a) => a.body.attemptsLeft).sort()).toEqual([0, 1, 2, 3, 4])
    expect((await rowOf(u))?.code_attempts).toBe(5)

    const right = await enterCode(u, code)
    expect(right.status).toBe(422)
    expect(await json(right)).toMatchObject({ code: 'code_expired' })
    expect((await rowOf(u))?.phone).toBeNull()
  })

  it('sends one code a minute: a second PUT at once is 429 with Retry-After and changes nothing', async () => {
    const u = await register('phone-resend')
    const first = frenchMobile()
    const second = frenchMobile()
    expect((await putPhone(u, first.typed)).status).toBe(202)
    const code = await codeSentTo(u, first.e164)
    const stored = await rowOf(u)

    const again = await putPhone(u, second.typed)
    expect(again.status).toBe(429)
    expect(await json(again)).toMatchObject({ status: 429, code: 'rate_limited' })
    const retryAfter = Number(again.headers.get('retry-after'))
    expect(Number.isInteger(retryAfter)).toBe(true)
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)

    expect(await rowOf(u)).toEqual(stored)
    expect((await codeTexts(u)).map((m) => m.recipient)).toEqual([first.e164])
    expect((await getPhone(u)).pending?.phone).toBe(first.e164)

    // A minute on, a new code may go out; it replaces the first.
    await aMinuteLater(u)
    expect((await putPhone(u, second.typed)).status).toBe(202)
    const secondCode = await codeSentTo(u, second.e164)
    if (secondCode !== code) expect(await json(await enterCode(u, code))).toMatchObject({ code: 'code_invalid' })
    expect((await enterCode(u, secondCode)).status).toBe(200)
    expect((await getPhone(u)).phone).toBe(second.e164)
  })

  it('sends one code when ten PUTs race: one 202, nine 429, one text, and the stored number is the winner’s', async () => {
    const u = await register('phone-put-race')
    const numbers = Array.from({ length: 10 }, () => frenchMobile())
    const answers = await Promise.all(numbers.map(async (n) => ({ n, res: await putPhone(u, n.typed) })))
    const won = answers.filter((a) => a.res.status === 202)
    expect(won).toHaveLength(1)
    expect(answers.filter((a) => a.res.status === 429)).toHaveLength(9)
    const winner = won[0]!.n.e164
    expect((await codeTexts(u)).map((m) => m.recipient)).toEqual([winner])
    expect(await rowOf(u)).toMatchObject({ pending_phone: winner })
    expect((await enterCode(u, await codeSentTo(u, winner))).status).toBe(200)
    expect((await getPhone(u)).phone).toBe(winner)
  })

  it('refuses a code past its ten minutes, and does not count the guess', async () => {
    const u = await register('phone-expired')
    const { typed, e164 } = frenchMobile()
    expect((await putPhone(u, typed)).status).toBe(202)
    const code = await codeSentTo(u, e164)
    // As an operator would, or ten minutes passing: the code's expiry moves a second into the past.
    await env.DB.prepare('UPDATE phone_numbers SET code_expires_at = ? WHERE user_id = ?').bind(new Date(Date.now() - 1000).toISOString(), u.user.id).run()

    expect(await getPhone(u)).toEqual({ phone: null, verifiedAt: null, pending: null })
    const res = await enterCode(u, code)
    expect(res.status).toBe(422)
    expect(await json(res)).toMatchObject({ code: 'code_expired' })
    expect(await rowOf(u)).toMatchObject({ phone: null, verified_at: null, code_attempts: 0 })
  })

  it.each([
    ['0612345678', 'no country code'],
    ['call me', 'words'],
    ['+0123', 'a country code cannot start with 0, and too short'],
    ['+1234567890123456789012345', '25 digits'],
    ['+1234567890123456', '16 digits, one more than E.164 allows'],
    ['+33 6 12 34 56 78 ext 9', 'trailing text'],
    ['', 'nothing'],
  ])('refuses %j (%s) with 400 at path phone, storing and texting nothing', async (phone) => {
    const u = await register('phone-invalid')
    const res = await putPhone(u, phone)
    expect(res.status).toBe(400)
    const body = await json<{ code: string; errors: { in: string; path: string }[] }>(res)
    expect(body.code).toBe('validation_failed')
    expect(body.errors).toEqual([expect.objectContaining({ in: 'body', path: 'phone' })])
    expect(await rowOf(u)).toBeNull()
    expect(await codeTexts(u)).toEqual([])
  })

  it('takes E.164 at its bounds: 7 and 15 digits', async () => {
    for (const phone of ['+4412345', '+123456789012345']) {
      const u = await register('phone-bounds')
      const res = await putPhone(u, phone)
      expect(res.status, phone).toBe(202)
      expect((await json<PhoneView>(res)).pending?.phone).toBe(phone)
    }
  })

  it.each([
    ['spaces', (c: string) => `${c.slice(0, 3)} ${c.slice(3)}`],
    ['a dash', (c: string) => `${c.slice(0, 3)}-${c.slice(3)}`],
    ['spaces around', (c: string) => ` ${c} `],
  ])('accepts the code typed with %s', async (_, format) => {
    const u = await register('phone-typed')
    const { typed, e164 } = frenchMobile()
    expect((await putPhone(u, typed)).status).toBe(202)
    const code = await codeSentTo(u, e164)
    const res = await enterCode(u, format(code))
    expect(res.status).toBe(200)
    expect((await json<PhoneView>(res)).phone).toBe(e164)
  })

  it('answers 400 at path code for something that is not six digits, without spending a guess', async () => {
    const u = await register('phone-malformed-code')
    const { typed, e164 } = frenchMobile()
    expect((await putPhone(u, typed)).status).toBe(202)
    const code = await codeSentTo(u, e164)
    for (const bad of ['12345', '1234567', 'abcdef', '12.3456']) {
      const res = await enterCode(u, bad)
      expect(res.status, bad).toBe(400)
      expect(await json(res)).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ path: 'code' })] })
    }
    expect((await rowOf(u))?.code_attempts).toBe(0)
    expect((await enterCode(u, code)).status).toBe(200)
  })

  it('answers code_expired when there is no code to guess at all', async () => {
    const u = await register('phone-no-code')
    const res = await enterCode(u, '123456')
    expect(res.status).toBe(422)
    expect(await json(res)).toMatchObject({ code: 'code_expired' })
    expect(await rowOf(u)).toBeNull()
  })

  it('does not let a code sent to one person verify another', async () => {
    const alice = await register('phone-alice')
    const mallory = await register('phone-mallory')
    const { typed, e164 } = frenchMobile()
    expect((await putPhone(alice, typed)).status).toBe(202)
    expect((await putPhone(mallory, typed)).status).toBe(202)
    const alicesCode = await codeSentTo(alice, e164)
    const mallorysCode = await codeSentTo(mallory, e164)
    // Mallory's outbox holds only her own text.
    expect((await codeTexts(mallory))).toHaveLength(1)
    if (alicesCode !== mallorysCode) expect(await json(await enterCode(mallory, alicesCode))).toMatchObject({ code: 'code_invalid' })
    expect((await rowOf(mallory))?.phone).toBeNull()
    expect((await rowOf(alice))?.code_attempts).toBe(0)
  })
})

describe('DELETE /v1/me/phone', () => {
  it('forgets the number: 204, then 404, and GET shows nothing', async () => {
    const u = await register('phone-delete')
    await verifyPhone(u)
    const res = await call('/v1/me/phone', { method: 'DELETE', token: u.token })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(await rowOf(u)).toBeNull()
    expect(await getPhone(u)).toEqual({ phone: null, verifiedAt: null, pending: null })
    const again = await call('/v1/me/phone', { method: 'DELETE', token: u.token })
    expect(again.status).toBe(404)
    expect(await json(again)).toMatchObject({ code: 'not_found' })
  })

  it("forgets only the caller's number", async () => {
    const u = await register('phone-delete-mine')
    const other = await register('phone-delete-other')
    const phone = await verifyPhone(other)
    expect((await call('/v1/me/phone', { method: 'DELETE', token: u.token })).status).toBe(404)
    expect((await getPhone(other)).phone).toBe(phone)
  })
})

describe('who may manage a phone', () => {
  const routes = [
    ['GET', '/v1/me/phone', undefined],
    ['PUT', '/v1/me/phone', { phone: '+33 6 12 34 56 78' }],
    ['POST', '/v1/me/phone/verify', { code: '123456' }],
    ['DELETE', '/v1/me/phone', undefined],
  ] as const

  it('refuses an API key, whatever its scopes, with 403 on every route, and changes nothing', async () => {
    const u = await register('phone-key')
    const phone = await verifyPhone(u)
    const stored = await rowOf(u)
    const created = await call('/v1/api-keys', { method: 'POST', token: u.token, json: { name: 'phone sync', scopes: ['account:read', 'notifications:read'] } })
    expect(created.status).toBe(201)
    const { key } = await json<{ key: string }>(created)
    expect((await call('/v1/me', { token: key })).status).toBe(200) // the key works where its scope lets it
    for (const [method, path, body] of routes) {
      const res = await call(path, { method, token: key, ...(body ? { json: body } : {}) })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(await json(res), `${method} ${path}`).toMatchObject({ code: 'forbidden' })
    }
    expect(await rowOf(u)).toEqual(stored)
    expect((await getPhone(u)).phone).toBe(phone)
  })

  it('answers 401 to nobody on every route', async () => {
    for (const [method, path, body] of routes) {
      const res = await call(path, { method, ...(body ? { json: body } : {}) })
      expect(res.status, `${method} ${path}`).toBe(401)
      expect(await json<Json>(res), `${method} ${path}`).toMatchObject({ code: 'unauthenticated' })
    }
  })
})

describe('daily caps on codes (SMS costs money; premium numbers pay their owner)', () => {
  it('sends a person at most five codes a day, whatever the numbers', async () => {
    const u = await register('phone-cap')
    for (let i = 0; i < 5; i++) {
      expect((await putPhone(u, frenchMobile().typed)).status).toBe(202)
      await aMinuteLater(u)
    }
    const sixth = await putPhone(u, frenchMobile().typed)
    expect(sixth.status).toBe(429)
    expect(await json(sixth)).toMatchObject({ code: 'rate_limited' })
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(3600) // the next one comes hours later
    expect(await codeTexts(u)).toHaveLength(5)
    expect((await getPhone(u)).pending).toBeNull() // the refused code was withdrawn
  })

  it('sends one number at most five codes a day, whoever asks', async () => {
    const { typed, e164 } = frenchMobile()
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => register(`phone-cap-number-${i}`)))
    const answers: number[] = []
    for (const u of people) answers.push((await putPhone(u, typed)).status)
    expect(answers).toEqual([202, 202, 202, 202, 202, 429])
    const texted = await Promise.all(people.map(async (u) => (await codeTexts(u)).filter((m) => m.recipient === e164).length))
    expect(texted).toEqual([1, 1, 1, 1, 1, 0])
  })
})

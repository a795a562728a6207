import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hmacSha256, toHex, utf8 } from '../../../src/core/bytes'
import { SIGNATURE_TOLERANCE_SECONDS, signPayload, verifySignedPayload } from '../../../src/webhooks/signed-payload'

const SECRET = 'whsec_test_secret'
const OTHER = 'whsec_other_secret'
const NOW = 1_900_000_000
const BODY = '{"id":"evt_1","type":"charge.succeeded"}'

/** The v1 signature of `body` at `t` under `secret`, computed here from the scheme itself. */
const v1 = async (secret: string, t: number, body: string) => toHex(await hmacSha256(utf8(secret), utf8(`${t}.${body}`)))

describe('signPayload', () => {
  it('writes t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', async () => {
    expect(await signPayload(SECRET, BODY, NOW)).toBe(`t=${NOW},v1=${await v1(SECRET, NOW, BODY)}`)
  })
})

describe('verifySignedPayload', () => {
  it('accepts what signPayload signed, for any body and secret, and answers its timestamp', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: -SIGNATURE_TOLERANCE_SECONDS, max: SIGNATURE_TOLERANCE_SECONDS }),
        async (body, secret, skew) => {
          const header = await signPayload(secret, body, NOW + skew)
          expect(await verifySignedPayload(secret, header, body, NOW)).toEqual({ ok: true, timestamp: NOW + skew })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('refuses a tampered body as a mismatch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), async (body, other) => {
        fc.pre(body !== other)
        const header = await signPayload(SECRET, body, NOW)
        expect(await verifySignedPayload(SECRET, header, other, NOW)).toEqual({ ok: false, reason: 'mismatch' })
      }),
      { numRuns: 100 },
    )
    const header = await signPayload(SECRET, BODY, NOW)
    expect(await verifySignedPayload(SECRET, header, BODY.replace('evt_1', 'evt_2'), NOW)).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('refuses a signature made with another secret as a mismatch', async () => {
    expect(await verifySignedPayload(SECRET, await signPayload(OTHER, BODY, NOW), BODY, NOW)).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('refuses a signed timestamp moved to another time as a mismatch', async () => {
    const sig = await v1(SECRET, NOW, BODY)
    expect(await verifySignedPayload(SECRET, `t=${NOW + 1},v1=${sig}`, BODY, NOW)).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('accepts a timestamp exactly 300 s old or ahead, and refuses one a second further either way as stale', async () => {
    for (const skew of [-SIGNATURE_TOLERANCE_SECONDS, SIGNATURE_TOLERANCE_SECONDS])
      expect(await verifySignedPayload(SECRET, await signPayload(SECRET, BODY, NOW + skew), BODY, NOW)).toEqual({ ok: true, timestamp: NOW + skew })
    for (const skew of [-SIGNATURE_TOLERANCE_SECONDS - 1, SIGNATURE_TOLERANCE_SECONDS + 1, -86_400])
      expect(await verifySignedPayload(SECRET, await signPayload(SECRET, BODY, NOW + skew), BODY, NOW)).toEqual({ ok: false, reason: 'stale' })
    expect(SIGNATURE_TOLERANCE_SECONDS).toBe(300)
  })

  it('refuses a missing or malformed header as malformed', async () => {
    const sig = await v1(SECRET, NOW, BODY)
    const headers = [
      undefined,
      '',
      `v1=${sig}`,
      `t=${NOW}`,
      `t=${NOW},v1=`,
      `t=soon,v1=${sig}`,
      `t=${NOW}.5,v1=${sig}`,
      `t=${NOW},v1=${sig.slice(0, 63)}z`,
      `t=${NOW},v1=${sig.toUpperCase()}`,
      `t=${NOW},v1=${sig.slice(0, 62)}`,
      `t=${NOW},v1=${sig}00`,
      `t=${NOW},v0=${sig}`,
      'garbage',
    ]
    for (const header of headers) expect({ header, check: await verifySignedPayload(SECRET, header, BODY, NOW) }).toEqual({ header, check: { ok: false, reason: 'malformed' } })
  })

  it('refuses a timestamp that is not plain decimal seconds as malformed (not as stale, not as valid)', async () => {
    const sig = await v1(SECRET, NOW, BODY)
    for (const t of ['', ' ', '0x10', '1.9e9', '+1900000000'])
      expect({ t, check: await verifySignedPayload(SECRET, `t=${t},v1=${sig}`, BODY, NOW) }).toEqual({ t, check: { ok: false, reason: 'malformed' } })
  })

  it('answers malformed before stale: a header without a signature is malformed whatever its age', async () => {
    expect(await verifySignedPayload(SECRET, `t=${NOW - 10_000}`, BODY, NOW)).toEqual({ ok: false, reason: 'malformed' })
  })

  it('accepts a header with several v1 entries when one matches (a secret rotating), in any position', async () => {
    const right = await v1(SECRET, NOW, BODY)
    const wrong = await v1(OTHER, NOW, BODY)
    expect(await verifySignedPayload(SECRET, `t=${NOW},v1=${wrong},v1=${right}`, BODY, NOW)).toEqual({ ok: true, timestamp: NOW })
    expect(await verifySignedPayload(SECRET, `t=${NOW},v1=${right},v1=${wrong}`, BODY, NOW)).toEqual({ ok: true, timestamp: NOW })
    expect(await verifySignedPayload(OTHER, `t=${NOW}, v1=${right}, v1=${wrong}`, BODY, NOW)).toEqual({ ok: true, timestamp: NOW })
  })

  it('refuses several v1 entries when none matches, and ignores malformed ones beside a good one', async () => {
    const right = await v1(SECRET, NOW, BODY)
    const wrong = await v1(OTHER, NOW, BODY)
    expect(await verifySignedPayload(SECRET, `t=${NOW},v1=${wrong},v1=${wrong}`, BODY, NOW)).toEqual({ ok: false, reason: 'mismatch' })
    expect(await verifySignedPayload(SECRET, `t=${NOW},v1=nothex,v1=${right}`, BODY, NOW)).toEqual({ ok: true, timestamp: NOW })
  })
})

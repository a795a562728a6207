import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REDACTED, redact, scrub } from '../../../src/core/redact'

const SESSION_TOKEN = 'st_Xk3v9QeLrT0pW8yZbN2mC5dF7gH1jK4sA6uV0wE2rT4'
const API_KEY = 'sk_9fJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0dE2fG4hI6jK8'
const WEBHOOK_SECRET = 'whsec_Zx8Cv6Bn4Ma2Sd0Fg8Hj6Kl4'

describe('redact: keys', () => {
  it.each([
    'password',
    'newPassword',
    'passphrase',
    'clientSecret',
    'token',
    'sessionToken',
    'Authorization',
    'cookie',
    'Set-Cookie',
    'apiKey',
    'api_key',
    'API-KEY',
    'key',
    'totp',
    'otp',
    'mfaCode',
    'mfa_code',
    'signature',
    'email',
    'emailAddress',
    'phone',
    'address',
    'ip',
    'ipAddress',
    'card',
    'cardNumber',
    'iban',
    'ssn',
  ])('replaces the value under %s whole', (key) => {
    expect(redact({ [key]: 'value-that-must-not-appear', kept: 1 })).toEqual({ [key]: REDACTED, kept: 1 })
  })

  it.each(['keyId', 'userId', 'status', 'route', 'credential', 'durationMs', 'traceId'])('keeps %s', (key) => {
    expect(redact({ [key]: 'usr_01' })).toEqual({ [key]: 'usr_01' })
  })

  it('replaces a sensitive key whatever its value, objects included', () => {
    expect(redact({ password: { hash: 'x', salt: 'y' }, token: ['a', 'b'], secret: 42, cookie: null })).toEqual({
      password: REDACTED,
      token: REDACTED,
      secret: REDACTED,
      cookie: REDACTED,
    })
  })

  it('finds sensitive keys in nested objects and in objects inside arrays', () => {
    const input = { user: { id: 'usr_1', profile: { email: 'ana@example.com' } }, attempts: [{ password: 'hunter2', at: 1 }] }
    expect(redact(input)).toEqual({
      user: { id: 'usr_1', profile: { email: REDACTED } },
      attempts: [{ password: REDACTED, at: 1 }],
    })
  })

  it('never lets a password through, whatever objects and arrays it sits in (property)', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/).map((s) => `pw-${s}`)
    // Each wrapper is one level: an object under a harmless key, or an array.
    const wrappers = fc.array(fc.oneof(fc.constantFrom('a', 'items', 'meta'), fc.constant(null)), { maxLength: 8 })
    const noise = fc.dictionary(fc.constantFrom('x', 'y', 'n'), fc.oneof(fc.integer(), fc.boolean(), fc.constant('plain')))
    fc.assert(
      fc.property(secret, wrappers, noise, (pw, levels, extra) => {
        let value: unknown = { ...extra, password: pw }
        for (const key of levels) value = key === null ? [value] : { [key]: value }
        const out = JSON.stringify(redact(value))
        expect(out).not.toContain(pw)
        // Within the depth the logger keeps, the key is still there and says why its value is gone.
        if (levels.length <= 5) expect(out).toContain(`"password":"${REDACTED}"`)
      }),
    )
  })

  it('does not change its input', () => {
    const input = { password: 'hunter2', nested: { token: 't' } }
    redact(input)
    expect(input).toEqual({ password: 'hunter2', nested: { token: 't' } })
  })
})

describe('redact: strings', () => {
  it.each([
    ['a session token', `login ok ${SESSION_TOKEN} issued`, 'login ok [secret] issued'],
    ['an API key', `key=${API_KEY}`, 'key=[secret]'],
    ['a webhook secret', `signing with ${WEBHOOK_SECRET}.`, 'signing with [secret].'],
    ['a bearer credential of any shape', 'upstream sent Bearer eyJhbGciOi.payload.sig-_~+/= back', 'upstream sent Bearer [secret] back'],
    ['a lower-case bearer', 'bearer abc123', 'bearer [secret]'],
    ['an e-mail address', 'no user ana.maria+test@mail.example.co.uk here', 'no user [email] here'],
    ['several secrets in one string', `${SESSION_TOKEN} and ${API_KEY} for bob@example.com`, '[secret] and [secret] for [email]'],
  ])('scrubs %s', (_, input, expected) => {
    expect(scrub(input)).toBe(expected)
    expect(redact(input)).toBe(expected)
  })

  it.each([
    'Authorization: Bearer eyJhbGciOi.payload.sig',
    'authorization=Bearer eyJhbGciOi.payload.sig',
    'headers: {"Authorization":"Bearer eyJhbGciOi.payload.sig"}',
  ])('never lets the credential of a logged Authorization header through: %s', (input) => {
    expect(scrub(input)).not.toMatch(/eyJhbGciOi|payload\.sig/)
  })

  it.each([
    ['password=hunter2&remember=1', 'hunter2'],
    ['secret: s3cr3t-value, next', 's3cr3t-value'],
    ['api_key=abc123def', 'abc123def'],
  ])('scrubs the value of a key=value pair that names a secret: %s', (input, secret) => {
    expect(scrub(input)).not.toContain(secret)
  })

  it.each([
    ['prefixed ids', 'usr_01hx5j3k7m lst_01hx5j3k7m ord_01hx5j3k7m'],
    ['words that merely end in st_ or sk_', 'first_pass test_abcdefghij task_abcdefghij'],
    ['a prefix too short to be a token', 'st_abc'],
    ['plain text', 'listing created'],
  ])('leaves %s alone', (_, input) => {
    expect(scrub(input)).toBe(input)
  })

  it('scrubs strings at any depth, under harmless keys', () => {
    expect(redact({ note: { lines: [`sent to ana@example.com with ${API_KEY}`] } })).toEqual({
      note: { lines: ['sent to [email] with [secret]'] },
    })
  })

  it('passes numbers, booleans, null and undefined through', () => {
    expect(redact(42)).toBe(42)
    expect(redact(false)).toBe(false)
    expect(redact(null)).toBeNull()
    expect(redact(undefined)).toBeUndefined()
    expect(redact({ n: 1, b: true, z: null })).toEqual({ n: 1, b: true, z: null })
  })
})

describe('redact: errors', () => {
  it('keeps name and message and scrubs secrets out of message and stack', () => {
    const err = new TypeError(`cannot verify ${SESSION_TOKEN} for ana@example.com`)
    const out = redact({ err }) as { err: Record<string, unknown> }
    expect(out.err.name).toBe('TypeError')
    expect(out.err.message).toBe('cannot verify [secret] for [email]')
    expect(typeof out.err.stack).toBe('string')
    expect(out.err.stack).toContain('TypeError: cannot verify [secret] for [email]')
    expect(JSON.stringify(out)).not.toContain(SESSION_TOKEN)
    expect(JSON.stringify(out)).not.toContain('ana@example.com')
  })

  it('serializes the cause, redacted the same way', () => {
    const err = new Error('checkout failed', { cause: { password: 'hunter2', reason: `declined for bob@example.com` } })
    const out = redact(err) as Record<string, unknown>
    expect(out.cause).toEqual({ password: REDACTED, reason: 'declined for [email]' })
  })

  it('serializes an Error cause as an Error', () => {
    const out = redact(new Error('outer', { cause: new RangeError(`inner ${API_KEY}`) })) as Record<string, unknown>
    expect(out.cause).toMatchObject({ name: 'RangeError', message: 'inner [secret]' })
  })

  it('omits the stack when there is none', () => {
    const err = new Error('no stack')
    err.stack = undefined
    expect(redact(err)).toEqual({ name: 'Error', message: 'no stack' })
  })
})

describe('redact: depth', () => {
  const nest = (levels: number, leaf: unknown): unknown => {
    let value = leaf
    for (let i = 0; i < levels; i++) value = { d: value }
    return value
  }

  it('keeps six levels of objects and truncates the seventh', () => {
    // Objects at depths 0–5 are walked; the object found at depth 6 becomes '[truncated]'.
    expect(redact(nest(6, 'leaf'))).toEqual(nest(6, 'leaf'))
    expect(redact(nest(6, { deeper: 1 }))).toEqual(nest(6, '[truncated]'))
  })

  it('still scrubs a string below the truncation depth', () => {
    expect(redact(nest(6, `mail ana@example.com`))).toEqual(nest(6, 'mail [email]'))
  })

  it('survives a cycle', () => {
    const a: Record<string, unknown> = { name: 'a' }
    a.self = a
    const out = redact(a)
    expect(JSON.stringify(out)).toContain('[truncated]')
  })
})

describe('redact: database errors', () => {
  it('drops the bound values a failed query quotes, and keeps the statement', () => {
    const err = new Error('Failed query: insert into "sessions" ("id", "token_hash") values (?, ?)\nparams: ses_1,9f86d081884c7d659a2feaa0c55ad015')
    const out = redact(err) as { message: string }
    expect(out.message).toContain('insert into "sessions"')
    expect(out.message).not.toContain('9f86d081884c7d659a2feaa0c55ad015')
    expect(out.message).toMatch(/params: \[redacted\]$/)
  })
})

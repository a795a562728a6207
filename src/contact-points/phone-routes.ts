import { OpenAPIHono } from '@hono/zod-openapi'
import type { Settings } from '../config'
import { constantTimeEqual, hmacSha256, toHex, utf8 } from '../core/bytes'
import { pseudonym } from '../core/pseudonym'
import type { AppEnv } from '../env'
import { principalOf } from '../http/authorization'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { channelAdapters } from '../notifications/channel-adapters'
import { newId, randomBytes, systemClock } from '../platform/runtime'
import { consumeQuota } from '../rate-limits/rate-limit-store'
import { personalDataOf } from '../pii/pii-adapters'
import { confirmPhone, deletePhone, phoneOf, spendGuess, startVerification, withdrawCode, type PhoneRow } from './contact-point-store'
import { deletePhoneRoute, getPhoneRoute, putPhoneRoute, verifyPhoneRoute } from './contact-point-schemas'
import { normalizePhone } from './phone-number'
import { CODE_TTL_MS, CODES_PER_DAY, codeClosed, MAX_CODE_ATTEMPTS, RESEND_AFTER_MS, resendWaitMs, typedCode, verificationCode } from './phone-verification'

/**
 * A person's phone number for SMS notices, proven before Souk texts it (phone-verification.ts):
 * PUT texts a code to the new number, POST …/verify with the code makes it the number SMS goes to.
 */
export const phoneRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(getPhoneRoute, async (c) => c.json(phoneView(await phoneOf(c.env.DB, personalDataOf(c.var.settings), principalOf(c).userId), systemClock()), 200))
  .openapi(putPhoneRoute, async (c) => {
    const { userId } = principalOf(c)
    const phone = normalizePhone(c.req.valid('json').phone)
    if (!phone) {
      throw new Problem(400, 'validation_failed', 'Some fields are missing or invalid', {
        errors: [{ in: 'body', path: 'phone', message: 'must be an international number with its country code, such as +33 6 12 34 56 78' }],
      })
    }
    const settings = c.var.settings
    const pd = personalDataOf(settings)
    const sms = channelAdapters(c.env, settings).sms
    if (!sms) throw new Problem(503, 'sms_unavailable', 'This deployment sends no SMS')
    const now = systemClock()
    const code = freshCode()
    const codeHash = await hashCode(settings, userId, phone, code)
    const started = await startVerification(c.env.DB, pd, userId, {
      pendingPhone: phone,
      codeHash,
      sentAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CODE_TTL_MS).toISOString(),
      resendBefore: new Date(now.getTime() - RESEND_AFTER_MS).toISOString(),
    })
    if (!started) {
      const sentAt = (await phoneOf(c.env.DB, pd, userId))?.codeSentAt
      const wait = Math.max(1, Math.ceil(resendWaitMs(sentAt ? new Date(sentAt) : null, now) / 1000))
      throw new Problem(429, 'rate_limited', 'A code was sent less than a minute ago', { headers: { 'Retry-After': String(wait) } })
    }
    // Whatever goes wrong from here, the code is withdrawn: nothing reached them, so they may ask again.
    try {
      const capWaitMs = await dailyCapWait(c.env, settings, userId, phone)
      if (capWaitMs > 0) throw new Problem(429, 'rate_limited', 'Too many codes for this account or number today', { headers: { 'Retry-After': String(Math.ceil(capWaitMs / 1000)) } })
      const quotaWaitMs = await takeSmsQuota(c.env, settings, sms.quotaSubject({ channel: 'sms', phone }))
      if (quotaWaitMs > 0) throw new Problem(503, 'sms_unavailable', 'SMS is busy; retry shortly', { headers: { 'Retry-After': String(Math.ceil(quotaWaitMs / 1000)) } })
      const body = `Your Souk code is ${code}. It expires in 10 minutes. Souk will never ask you for it.`
      const outcome = await sms.send({ channel: 'sms', phone }, { userId, ref: newId('vrf', now), subject: '', body, urgent: true, data: {} })
      if (outcome.kind === 'retry') {
        const headers: Record<string, string> = outcome.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(Math.max(1, outcome.retryAfterSeconds)) }
        throw new Problem(503, 'sms_unavailable', 'The SMS provider cannot take the message now; retry shortly', { headers })
      }
      if (outcome.kind !== 'sent') throw new Problem(422, 'phone_unreachable', 'SMS cannot reach that number')
    } catch (err) {
      await withdrawCode(c.env.DB, userId, codeHash)
      throw err
    }
    c.var.log.info('phone_code_sent', { userId })
    return c.json(phoneView(await phoneOf(c.env.DB, pd, userId), now), 202)
  })
  .openapi(verifyPhoneRoute, async (c) => {
    const { userId } = principalOf(c)
    const code = typedCode(c.req.valid('json').code)
    if (!code) throw new Problem(400, 'validation_failed', 'Some fields are missing or invalid', { errors: [{ in: 'body', path: 'code', message: 'must be the six digits sent by SMS' }] })
    const now = systemClock()
    const pd = personalDataOf(c.var.settings)
    // The guess is counted before it is compared, so parallel guesses cannot share one attempt.
    const guess = await spendGuess(c.env.DB, pd, userId, now.toISOString(), MAX_CODE_ATTEMPTS)
    if (!guess) throw new Problem(422, 'code_expired')
    const matches = constantTimeEqual(utf8(await hashCode(c.var.settings, userId, guess.pendingPhone, code)), utf8(guess.codeHash))
    if (!matches) throw new Problem(422, 'code_invalid', undefined, { extra: { attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - guess.attempts) } })
    if (!(await confirmPhone(c.env.DB, pd, userId, guess.codeHash, now.toISOString()))) throw new Problem(422, 'code_expired') // a new code replaced it meanwhile
    c.var.log.info('phone_verified', { userId })
    return c.json(phoneView(await phoneOf(c.env.DB, pd, userId), now), 200)
  })
  .openapi(deletePhoneRoute, async (c) => {
    if (!(await deletePhone(c.env.DB, principalOf(c).userId))) throw new Problem(404, 'not_found')
    return c.body(null, 204)
  })

/** Ms until both this person and this number may have another code today; 0 when both may (and both are counted). */
async function dailyCapWait(env: Env, settings: Settings, userId: string, phone: string): Promise<number> {
  const [person, number] = await Promise.all([
    consumeQuota(env, 'notifier', `phone-codes:user:${userId}`, CODES_PER_DAY),
    consumeQuota(env, 'notifier', `phone-codes:number:${await pseudonym(settings.pseudonymKey, 'phone', phone)}`, CODES_PER_DAY),
  ])
  return person.allowed && number.allowed ? 0 : Math.max(1000, person.retryAfterMs, number.retryAfterMs)
}

/** A person waiting for a code is worth a short wait for the provider's quota (a long code sends one SMS a second). */
const MAX_QUOTA_WAIT_MS = 3000

/** Spends one unit of the SMS provider's quota, waiting up to MAX_QUOTA_WAIT_MS for it; answers the wait still ahead, 0 when spent. */
async function takeSmsQuota(env: Env, settings: Settings, subject: string | null): Promise<number> {
  if (!subject) return 0
  let waited = 0
  for (;;) {
    const verdict = await consumeQuota(env, 'notifier', subject, settings.notifications.rateLimits.sms)
    if (verdict.allowed) return 0
    if (waited + verdict.retryAfterMs > MAX_QUOTA_WAIT_MS) return Math.max(1000, verdict.retryAfterMs)
    await new Promise((resolve) => setTimeout(resolve, verdict.retryAfterMs))
    waited += verdict.retryAfterMs
  }
}

function phoneView(row: PhoneRow | null, now: Date) {
  const pending = row?.pendingPhone && row.codeExpiresAt ? { phone: row.pendingPhone, expiresAt: row.codeExpiresAt } : null
  const open = pending && codeClosed({ expiresAt: new Date(pending.expiresAt), attempts: row?.codeAttempts ?? 0 }, now) === null
  return { phone: row?.phone ?? null, verifiedAt: row?.verifiedAt ?? null, pending: open ? pending : null }
}

/** Six digits; the rare draw that rejection sampling refuses is drawn again. */
function freshCode(): string {
  for (;;) {
    const code = verificationCode(randomBytes(16))
    if (code) return code
  }
}

/** Only this keyed hash is stored: a leaked table gives no code, and a code is bound to its person and number. */
async function hashCode(settings: Settings, userId: string, phone: string, code: string): Promise<string> {
  return toHex(await hmacSha256(utf8(settings.pseudonymKey), utf8(`phone-code:${userId}:${phone}:${code}`)))
}

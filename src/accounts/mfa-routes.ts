import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { sha256Hex } from '../core/bytes'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { jsonBody, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { requireStepUp, StepUpHeaders } from '../http/step-up'
import { validationProblem } from '../http/validation-problem'
import { randomBytes } from '../platform/runtime'
import { accountStub } from './account-adapters'
import { newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, otpauthUrl } from './totp'
import { emailOf, findUserById } from './user-store'
import { personalDataOf } from '../pii/pii-adapters'
import { audit } from '../audit/audit-adapters'

const tags = ['Accounts']
const security = [{ bearer: [] }]

const exampleSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

const TotpEnrolment = z
  .object({
    secret: z.string().openapi({ description: 'Base32, for typing into an authenticator' }),
    otpauthUrl: z.string().openapi({ description: 'The same, as an `otpauth://` URL (show it as a QR code)' }),
  })
  .openapi('TotpEnrolment', { example: { secret: exampleSecret, otpauthUrl: `otpauth://totp/Souk:ada%40example.com?issuer=Souk&secret=${exampleSecret}&algorithm=SHA1&digits=6&period=30` } })

const TotpCodeBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'must be 6 digits') }).openapi('TotpCodeRequest', { example: { code: '492039' } })

const RecoveryCodes = z
  .object({ recoveryCodes: z.array(z.string()).openapi({ description: 'Ten codes, each good for one login without the authenticator. Shown once: keep them somewhere safe' }) })
  .openapi('RecoveryCodes', { example: { recoveryCodes: ['k7m2q-x9dpt', 'a4hz0-mw3ke', 'r8c1v-6tqjn', 'p2yf9-d5bxs', 'e0wnm-7gk4h', 'q3tv8-zc1ra', 'h6jd2-n9mpf', 'x1bk5-s0yqe', 'g7re3-w2vtc', 'm9fa4-k8hzd'] } })

const startRoute = createRoute({
  method: 'post',
  path: '/me/mfa/totp',
  tags,
  security,
  summary: 'Start turning on TOTP (RFC 6238: SHA-1, 6 digits, 30 s): a new secret for an authenticator app; it takes effect once a code from it is verified',
  middleware: [requireAccess('mfa.manage')] as const,
  responses: {
    201: { description: 'The secret, to enrol in an authenticator', content: { 'application/json': { schema: TotpEnrolment } } },
    401: problems[401],
    403: problems[403],
    409: { description: '`mfa_already_enabled`: turn it off first', content: problems[409].content },
  },
})

const verifyRoute = createRoute({
  method: 'post',
  path: '/me/mfa/totp/verify',
  tags,
  security,
  summary: 'Verify the first code from the authenticator: TOTP is on for login and step-up from now, and ten recovery codes are shown once',
  middleware: [requireAccess('mfa.manage')] as const,
  request: { body: jsonBody(TotpCodeBody) },
  responses: {
    200: { description: 'TOTP is on', content: { 'application/json': { schema: RecoveryCodes } } },
    400: problems[400],
    401: { description: '`mfa_code_invalid`: not a current code, or one already used (a code is accepted once)', content: problems[401].content },
    403: problems[403],
    409: { description: '`mfa_not_started`: no enrolment is waiting (or TOTP is already on)', content: problems[409].content },
    429: { description: '`rate_limited`: five wrong codes in 15 minutes; wait', content: problems[401].content },
  },
})

const disableRoute = createRoute({
  method: 'delete',
  path: '/me/mfa/totp',
  tags,
  security,
  summary: 'Turn TOTP off (step-up: send a current code in X-MFA-Code); the recovery codes go with it',
  middleware: [requireAccess('mfa.manage'), requireStepUp()] as const,
  request: { headers: StepUpHeaders },
  responses: { 204: { description: 'TOTP is off' }, 401: problems[401], 403: problems[403] },
})

export const mfaRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(startRoute, async (c) => {
    const { userId } = principalOf(c)
    const secret = newTotpSecret()
    if ((await accountStub(c.env, userId).startTotp(secret)) === 'already_on') throw new Problem(409, 'mfa_already_enabled')
    const user = await findUserById(database(c.env.DB), userId)
    await audit(c.env, c.var.log, { actorId: userId, action: 'mfa.enrolment_started', subjectId: userId })
    const label = user ? await emailOf(personalDataOf(c.var.settings), user) : userId
    return c.json({ secret, otpauthUrl: otpauthUrl(secret, label) }, 201)
  })
  .openapi(verifyRoute, async (c) => {
    const { userId } = principalOf(c)
    const recoveryCodes = newRecoveryCodes(randomBytes)
    const hashes = await Promise.all(recoveryCodes.map((code) => sha256Hex(normalizeRecoveryCode(code))))
    const outcome = await accountStub(c.env, userId).confirmTotp(c.req.valid('json').code, hashes)
    if (outcome === 'not_started') throw new Problem(409, 'mfa_not_started')
    if (outcome === 'throttled') throw new Problem(429, 'rate_limited', 'Too many wrong codes; wait 15 minutes', { headers: { 'Retry-After': '900' } })
    if (outcome !== 'on') throw new Problem(401, 'mfa_code_invalid')
    await audit(c.env, c.var.log, { actorId: userId, action: 'mfa.enabled', subjectId: userId })
    c.header('Cache-Control', 'no-store')
    return c.json({ recoveryCodes }, 200)
  })
  .openapi(disableRoute, async (c) => {
    const { userId } = principalOf(c)
    await accountStub(c.env, userId).disableTotp()
    await audit(c.env, c.var.log, { actorId: userId, action: 'mfa.disabled', subjectId: userId })
    return c.body(null, 204)
  })

import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Principal } from '../accounts/principal'
import { sha256Hex, toBase64Url } from '../core/bytes'
import type { AppEnv } from '../env'
import { authorizeRequest, requireAccess } from '../http/authorization'
import { unauthenticated } from '../http/unauthenticated'
import { problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { randomBytes, systemClock } from '../platform/runtime'
import { LIVE_CREDENTIAL_HEADER, userLiveStub } from './user-live-object'
import { accountStub } from '../accounts/account-adapters'

/** A ticket lives this long and opens one connection. */
const TICKET_TTL_MS = 60_000

const LiveTicket = z
  .object({ ticket: z.string(), expiresAt: z.string() })
  .openapi('LiveTicket', { example: { ticket: `${exampleIds.buyer}.q2W7eR9tY4uI1oP6aS3dF8gH5jK0lZxC`, expiresAt: '2026-03-16T10:06:00.000Z' } })

const ticketRoute = createRoute({
  method: 'post',
  path: '/me/live-tickets',
  tags: ['Notifications'],
  security: [{ bearer: [] }],
  summary: 'A single-use ticket (60 s) for a browser to open GET /v1/me/live?ticket=… (browsers cannot set Authorization on a WebSocket)',
  middleware: requireAccess('notifications.read'),
  responses: {
    201: { description: 'The ticket', content: { 'application/json': { schema: LiveTicket } } },
    401: problems[401],
    403: problems[403],
  },
})

const liveRoute = createRoute({
  method: 'get',
  path: '/me/live',
  tags: ['Notifications'],
  security: [{ bearer: [] }],
  summary: 'WebSocket for the caller: `{ type: "notification" | "order.updated", data }` as things happen (the credential needs `notifications:read` and `orders:read`; closed with 4001 when it ends). Send `ping` for `pong`',
  request: { query: z.object({ ticket: z.string().max(300).optional() }) },
  responses: {
    101: { description: 'Switching to WebSocket' },
    401: problems[401],
    403: problems[403],
    426: { description: '`upgrade_required`: this route speaks WebSocket only', content: problems[401].content },
  },
})

/** `<userId>.<secret>`: the user part says which object keeps it; only its hash is stored. */
function parseTicket(ticket: string): { userId: string; secret: string } | undefined {
  const [userId, secret, ...rest] = ticket.split('.')
  return userId && secret && rest.length === 0 && /^usr_[0-9a-z]{26}$/.test(userId) ? { userId, secret } : undefined
}

/** The channel carries notifications and order updates: a credential needs to read both. */
function authorizeLive(c: Context<AppEnv>): Principal {
  authorizeRequest(c, 'notifications.read')
  return authorizeRequest(c, 'orders.read')
}

export const userLiveRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(ticketRoute, async (c) => {
    const { userId, credential } = authorizeLive(c)
    const secret = toBase64Url(randomBytes(24))
    const expiresAt = systemClock().getTime() + TICKET_TTL_MS
    await userLiveStub(c.env, userId).issueTicket(await sha256Hex(secret), expiresAt, credential.id)
    return c.json({ ticket: `${userId}.${secret}`, expiresAt: new Date(expiresAt).toISOString() }, 201)
  })
  .openapi(liveRoute, async (c) => {
    const noCredential = () => unauthenticated('Send a bearer token, or ?ticket= from POST /v1/me/live-tickets')
    const { ticket } = c.req.valid('query')
    // Who before what: an anonymous caller learns 401 first, an under-scoped one 403; a ticket is spent only on a real upgrade.
    if (!c.var.principal && !ticket) throw noCredential()
    const bearer = c.var.principal ? authorizeLive(c) : undefined
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new Problem(426, 'upgrade_required', 'Connect with a WebSocket client', { headers: { Upgrade: 'websocket' } })
    }
    let holder = bearer ? { userId: bearer.userId, credentialId: bearer.credential.id } : undefined
    if (!holder && ticket) {
      const parsed = parseTicket(ticket)
      const credentialId = parsed ? await userLiveStub(c.env, parsed.userId).redeemTicket(await sha256Hex(parsed.secret)) : null
      // The credential that asked for the ticket may have ended (logout, revocation) since.
      if (parsed && credentialId && (await accountStub(c.env, parsed.userId).stands(credentialId))) holder = { userId: parsed.userId, credentialId }
    }
    if (!holder) throw noCredential()
    const upgrade = new Request(c.req.url, c.req.raw)
    upgrade.headers.set(LIVE_CREDENTIAL_HEADER, holder.credentialId)
    return userLiveStub(c.env, holder.userId).fetch(upgrade)
  })

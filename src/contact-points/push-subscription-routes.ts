import { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { principalOf } from '../http/authorization'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { offeredChannels } from '../notifications/channel-adapters'
import { newId, systemClock } from '../platform/runtime'
import { endpointUrlProblem } from '../webhook-endpoints/endpoint-url'
import { deletePushSubscription, pushSubscriptionsOf, savePushSubscription, type PushSubscriptionRow } from './contact-point-store'
import { createPushRoute, deletePushRoute, listPushRoute } from './contact-point-schemas'
import { MAX_PUSH_SUBSCRIPTIONS, pushKeysProblem } from './push-subscription'

const view = (s: PushSubscriptionRow) => ({ id: s.id, endpoint: s.endpoint, createdAt: s.createdAt })

/**
 * A person's browsers for web push. A page subscribes with `applicationServerKey` (the VAPID
 * public key) and posts the PushSubscription here. Souk will POST to the endpoint, so it is held
 * to the webhook rules: a public https host in production (and resolved before each send).
 */
export const pushSubscriptionRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(listPushRoute, async (c) => {
    const rows = await pushSubscriptionsOf(c.env.DB, principalOf(c).userId)
    return c.json({ applicationServerKey: c.var.settings.notifications.push?.publicKey ?? null, data: rows.map(view) }, 200)
  })
  .openapi(createPushRoute, async (c) => {
    const { userId } = principalOf(c)
    const body = c.req.valid('json')
    const settings = c.var.settings
    if (!offeredChannels(settings).includes('push')) throw new Problem(503, 'push_unavailable')
    const keysProblem = pushKeysProblem(body.keys)
    if (keysProblem) throw new Problem(400, 'validation_failed', 'Some fields are missing or invalid', { errors: [{ in: 'body', path: 'keys', message: keysProblem }] })
    const urlProblem = endpointUrlProblem(body.endpoint, settings.environment)
    if (urlProblem) throw new Problem(422, 'invalid_push_endpoint', `endpoint ${urlProblem}`)
    const now = systemClock()
    const { row, created } = await savePushSubscription(
      c.env.DB,
      { id: newId('psh', now), userId, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth, createdAt: now.toISOString() },
      MAX_PUSH_SUBSCRIPTIONS,
    )
    return c.json(view(row), created ? 201 : 200)
  })
  .openapi(deletePushRoute, async (c) => {
    if (!(await deletePushSubscription(c.env.DB, principalOf(c).userId, c.req.valid('param').id))) throw new Problem(404, 'not_found')
    return c.body(null, 204)
  })

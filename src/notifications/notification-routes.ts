import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { decodeCursor, page } from '../core/cursor'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { json, jsonBody, pageOf, PageQuery, problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { inbox, loadPreferences, markRead, outbox, savePreferences } from './notification-store'
import { NotificationPreferences } from './preferences'

const tags = ['Notifications']
const security = [{ bearer: [] }]

/** What Sam reads when Ada's payment for the lamp goes through. */
const exampleNotice = {
  id: exampleIds.notification,
  type: 'order.sold',
  category: 'payment',
  title: 'You made a sale',
  body: `Order ${exampleIds.order} is paid (€45.00). Ship it now.`,
  data: { orderId: exampleIds.order, total: { amount: 4500, currency: 'EUR' } },
  createdAt: '2026-03-16T10:04:02.000Z',
  readAt: null,
}

const NotificationSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    category: z.enum(['security', 'payment', 'activity']),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .openapi('Notification', { example: exampleNotice })

const PreferencesBody = z
  .strictObject({
    events: z.record(z.string(), z.strictObject({ in_app: z.boolean().optional(), email: z.boolean().optional(), sms: z.boolean().optional(), push: z.boolean().optional() })).optional(),
    quietHours: z.strictObject({ start: z.string(), end: z.string(), timeZone: z.string() }).optional(),
    digest: z.enum(['off', 'hourly', 'daily']).optional(),
  })
  .openapi('NotificationPreferences', {
    example: { events: { 'bid.outbid': { email: false, push: true }, 'order.shipped': { sms: false } }, quietHours: { start: '22:00', end: '07:30', timeZone: 'Europe/Paris' }, digest: 'daily' },
  })

const OutboxSchema = z
  .object({ id: z.string(), channel: z.string(), userId: z.string(), recipient: z.string(), subject: z.string(), body: z.string(), notificationId: z.string(), createdAt: z.string() })
  .openapi('DevOutboxItem')
const DevOutbox = z.object({ data: z.array(OutboxSchema) }).openapi('DevOutbox', {
  example: {
    data: [
      {
        id: 'obx_01m88jqb9d1f3h5k7m9p1r3t5v',
        channel: 'email',
        userId: exampleIds.seller,
        recipient: 'sam@example.com',
        subject: 'You made a sale',
        body: exampleNotice.body,
        notificationId: exampleIds.notification,
        createdAt: '2026-03-16T10:04:03.000Z',
      },
    ],
  },
})


const inboxRoute = createRoute({
  method: 'get',
  path: '/me/notifications',
  tags,
  security,
  summary: 'The in-app inbox, newest first',
  middleware: requireAccess('notifications.read'),
  request: { query: PageQuery },
  responses: { 200: { description: 'A page of notifications', ...json(pageOf(NotificationSchema).openapi('NotificationPage', { example: { data: [exampleNotice], nextCursor: null } })) }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

const readRoute = createRoute({
  method: 'post',
  path: '/me/notifications/{id}/read',
  tags,
  security,
  summary: 'Mark one notification read',
  middleware: requireAccess('notifications.read'),
  request: { params: z.object({ id: z.string().regex(/^ntf_[0-9a-z]{26}$/, 'must be a notification id').openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.notification }) }) },
  responses: { 200: { description: 'The notification', content: { 'application/json': { schema: NotificationSchema, example: { ...exampleNotice, readAt: '2026-03-16T10:30:00.000Z' } } } }, 401: problems[401], 403: problems[403], 404: problems[404] },
})

const getPrefsRoute = createRoute({
  method: 'get',
  path: '/me/notification-preferences',
  tags,
  security,
  summary: 'Per type and channel (in_app, email, sms, push), quiet hours, digest; what is not set is on',
  middleware: requireAccess('notifications.read'),
  responses: { 200: { description: 'Preferences', ...json(PreferencesBody) }, 401: problems[401], 403: problems[403] },
})

const putPrefsRoute = createRoute({
  method: 'put',
  path: '/me/notification-preferences',
  tags,
  security,
  summary: 'Replace the preferences (a session, not an API key)',
  middleware: requireAccess('notifications.configure'),
  request: { body: jsonBody(PreferencesBody) },
  responses: { 200: { description: 'Saved', ...json(PreferencesBody) }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

const outboxRoute = createRoute({
  method: 'get',
  path: '/dev/outbox',
  tags: ['Development'],
  security,
  summary: 'Development only: the email, SMS and push messages that would have left the system, for the caller',
  middleware: requireAccess('notifications.read'),
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }) },
  responses: { 200: { description: 'Newest first', ...json(DevOutbox) }, 401: problems[401], 404: problems[404] },
})

export const notificationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(inboxRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const rows = await inbox(c.env.DB, principalOf(c).userId, limit, cursor ? decodeCursor(cursor) : undefined)
    return c.json(page(rows, limit, (n) => n.id), 200)
  })
  .openapi(readRoute, async (c) => {
    const item = await markRead(c.env.DB, principalOf(c).userId, c.req.valid('param').id, systemClock().toISOString())
    if (!item) throw new Problem(404, 'not_found')
    return c.json(item, 200)
  })
  .openapi(getPrefsRoute, async (c) => {
    const parsed = NotificationPreferences.safeParse(await loadPreferences(c.env.DB, principalOf(c).userId))
    return c.json(parsed.success ? parsed.data : { events: {} }, 200)
  })
  .openapi(putPrefsRoute, async (c) => {
    // The route's schema gives the shape; the core's gives the meaning (known types, real time zones).
    const parsed = NotificationPreferences.safeParse(c.req.valid('json'))
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ in: 'body' as const, path: i.path.join('.'), message: i.message }))
      throw new Problem(400, 'validation_failed', 'The preferences do not hold', { errors })
    }
    await savePreferences(c.env.DB, principalOf(c).userId, parsed.data, systemClock().toISOString())
    return c.json(parsed.data, 200)
  })
  .openapi(outboxRoute, async (c) => {
    // The outbox exists only where nothing leaves the system.
    if (c.var.settings.environment !== 'development') throw new Problem(404, 'not_found')
    return c.json({ data: await outbox(c.env.DB, c.req.valid('query').limit, principalOf(c).userId) }, 200)
  })

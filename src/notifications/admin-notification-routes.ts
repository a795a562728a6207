import { userIdParam } from '../accounts/account-schemas'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { desc, eq } from 'drizzle-orm'
import { auditPersonalDataRead } from '../audit/audit-adapters'
import { database } from '../db/client'
import { notificationSends } from '../db/schema'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { validationProblem } from '../http/validation-problem'

/**
 * What became of a person's last notices at each provider, for support answering "I never got
 * the e-mail": the runbook's SQL as a route. Addresses stay out (they are kept as keyed hashes);
 * the read is audited as one of personal data.
 */
const UserIdParam = userIdParam(exampleIds.buyer)

const exampleSend = { notificationId: exampleIds.notification, channel: 'email', outcome: 'sent', providerRef: '4ef9a1c2-5b3d-4c8e-9f1a-2b3c4d5e6f70', detail: null, at: '2026-03-16T10:12:03.000Z' } as const
const Send = z
  .object({
    notificationId: z.string(),
    channel: z.string().openapi({ description: '`email`, `sms` or `push`' }),
    outcome: z.enum(['sent', 'refused', 'gone']),
    providerRef: z.string().nullable().openapi({ description: 'The provider’s id for the message (Resend, Twilio, the push service)' }),
    detail: z.string().nullable().openapi({ description: 'Why the provider refused it, with the address left out' }),
    at: z.string(),
  })
  .openapi('NotificationSend', { example: exampleSend })
const Sends = z.object({ data: z.array(Send) }).openapi('NotificationSends', { example: { data: [exampleSend] } })

const SENDS_SHOWN = 50

const route = createRoute({
  method: 'get',
  path: '/admin/users/{id}/notification-sends',
  tags: ['Admin'],
  security: [{ bearer: [] }],
  summary: 'Staff: what became of the person’s last 50 notice sends at each provider, newest first; the read is audited',
  middleware: requireAccess('users.freeze'),
  request: { params: UserIdParam },
  responses: { 200: { description: 'The sends', content: { 'application/json': { schema: Sends } } }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

export const adminNotificationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(route, async (c) => {
  const { id } = c.req.valid('param')
  const rows = await database(c.env.DB)
    .select({ notificationId: notificationSends.notificationId, channel: notificationSends.channel, outcome: notificationSends.outcome, providerRef: notificationSends.providerRef, detail: notificationSends.detail, at: notificationSends.at })
    .from(notificationSends)
    .where(eq(notificationSends.userId, id))
    .orderBy(desc(notificationSends.at))
    .limit(SENDS_SHOWN)
  await auditPersonalDataRead(c.env, c.var.log, { staffId: principalOf(c).userId, subjectId: id, what: 'notification_sends', resourceId: id, requestId: c.var.requestId, details: { count: rows.length } })
  return c.json({ data: rows }, 200)
})

import { createRoute, z } from '@hono/zod-openapi'
import { requireAccess } from '../http/authorization'
import { json, jsonBody, problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'

/** Routes and shapes for where a person can be reached outside the app: a phone for SMS, browsers for push. */
const tags = ['Notifications']
const security = [{ bearer: [] }]
const guarded = requireAccess('contactPoints.manage')

export const PhoneSchema = z
  .object({
    phone: z.string().nullable().openapi({ description: 'The verified number SMS goes to (E.164), or null' }),
    verifiedAt: z.string().nullable(),
    pending: z.object({ phone: z.string(), expiresAt: z.string() }).nullable().openapi({ description: 'A number waiting for its code' }),
  })
  .openapi('Phone', { example: { phone: '+33612345678', verifiedAt: '2026-03-14T09:40:00.000Z', pending: null } })

const PutPhoneBody = z.strictObject({ phone: z.string().min(1).max(32).openapi({ example: '+33 6 12 34 56 78' }) }).openapi('PutPhoneRequest', { example: { phone: '+33 6 12 34 56 78' } })
const VerifyPhoneBody = z.strictObject({ code: z.string().min(1).max(16).openapi({ example: '123456' }) }).openapi('VerifyPhoneRequest', { example: { code: '123456' } })
/** While the code is on its way: the number SMS goes to stays the verified one, if any. */
const pendingPhone = { phone: null, verifiedAt: null, pending: { phone: '+33612345678', expiresAt: '2026-03-14T09:49:00.000Z' } }

export const getPhoneRoute = createRoute({
  method: 'get',
  path: '/me/phone',
  tags,
  security,
  summary: 'Your phone number for SMS notices, and one waiting to be verified',
  middleware: guarded,
  responses: { 200: { description: 'The number', ...json(PhoneSchema) }, 401: problems[401], 403: problems[403] },
})

export const putPhoneRoute = createRoute({
  method: 'put',
  path: '/me/phone',
  tags,
  security,
  summary: 'Texts a six-digit code to a new number (valid 10 minutes, 5 guesses, one code a minute); SMS keeps going to the verified number until the code is entered',
  middleware: guarded,
  request: { body: jsonBody(PutPhoneBody) },
  responses: {
    202: { description: 'The code is on its way', content: { 'application/json': { schema: PhoneSchema, example: pendingPhone } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    422: { description: '`phone_unreachable`: SMS cannot reach that number', content: problems[422].content },
    429: problems[429],
    503: { description: '`sms_unavailable`: no SMS provider, or it cannot take the message now', content: problems[503].content },
  },
})

export const verifyPhoneRoute = createRoute({
  method: 'post',
  path: '/me/phone/verify',
  tags,
  security,
  summary: 'Enter the code: the pending number becomes the one SMS goes to',
  middleware: guarded,
  request: { body: jsonBody(VerifyPhoneBody) },
  responses: {
    200: { description: 'Verified', ...json(PhoneSchema) },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    422: { description: '`code_invalid` (with `attemptsLeft`) or `code_expired`', content: problems[422].content },
  },
})

export const deletePhoneRoute = createRoute({
  method: 'delete',
  path: '/me/phone',
  tags,
  security,
  summary: 'Forget your number: no more SMS',
  middleware: guarded,
  responses: { 204: { description: 'Forgotten' }, 401: problems[401], 403: problems[403], 404: problems[404] },
})

const examplePushEndpoint = 'https://fcm.googleapis.com/fcm/send/dGhpcy1pcy1hLWJyb3dzZXI:APA91bHk2xVnT0q8Zr3'
const examplePushSubscription = { id: exampleIds.pushSubscription, endpoint: examplePushEndpoint, createdAt: '2026-03-14T09:45:00.000Z' }
export const PushSubscriptionSchema = z.object({ id: z.string(), endpoint: z.string(), createdAt: z.string() }).openapi('PushSubscription', { example: examplePushSubscription })

/** What `PushSubscription.toJSON()` gives a page, as it gives it. */
const CreatePushSubscriptionBody = z
  .strictObject({
    endpoint: z.string().min(1).max(2048),
    expirationTime: z.number().nullable().optional(),
    keys: z.strictObject({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
  })
  .openapi('CreatePushSubscriptionRequest', {
    example: {
      endpoint: examplePushEndpoint,
      expirationTime: null,
      keys: { p256dh: 'BKqkS4amOJ8WcszsU3BySRvGIqer1H1IYsS469Jp3J1d4fi5c76d4nkW4VWXiEOWGay6Bmf7zIwl8rMwSJSAgiA', auth: 'u5ncOsQs1fGmq7y8WgW0KA' },
    },
  })

const PushSubscriptionIdParam = z.object({
  id: z.string().regex(/^psh_[0-9a-z]{26}$/, 'must be a push subscription id').openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.pushSubscription }),
})

export const listPushRoute = createRoute({
  method: 'get',
  path: '/me/push-subscriptions',
  tags,
  security,
  summary: 'Your browsers that take push notices, and the key a page subscribes with',
  middleware: guarded,
  responses: {
    200: {
      description: 'Subscriptions, newest first',
      ...json(
        z
          .object({
            applicationServerKey: z.string().nullable().openapi({ description: 'VAPID public key for pushManager.subscribe(); null when push is not set up' }),
            data: z.array(PushSubscriptionSchema),
          })
          .openapi('PushSubscriptionList', { example: { applicationServerKey: 'BHkZmnE989bnuvJ1g-PVni0VzxDkkMjKMXwr6hS11r-Bffbyi3zCZoY4dTdMdIUVKMLfEMExNM-_w1xwUOYq5Pg', data: [examplePushSubscription] } }),
      ),
    },
    401: problems[401],
    403: problems[403],
  },
})

export const createPushRoute = createRoute({
  method: 'post',
  path: '/me/push-subscriptions',
  tags,
  security,
  summary: 'Register a browser (its PushSubscription as JSON); the same endpoint again updates it. At most 10: a new one replaces the oldest',
  middleware: guarded,
  request: { body: jsonBody(CreatePushSubscriptionBody) },
  responses: {
    201: { description: 'Registered', ...json(PushSubscriptionSchema) },
    200: { description: 'Already registered: updated', ...json(PushSubscriptionSchema) },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    422: { description: '`invalid_push_endpoint`', content: problems[422].content },
    503: { description: '`push_unavailable`', content: problems[503].content },
  },
})

export const deletePushRoute = createRoute({
  method: 'delete',
  path: '/me/push-subscriptions/{id}',
  tags,
  security,
  summary: 'Stop pushing to this browser',
  middleware: guarded,
  request: { params: PushSubscriptionIdParam },
  responses: { 204: { description: 'Removed' }, 401: problems[401], 403: problems[403], 404: problems[404] },
})

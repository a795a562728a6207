import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { decodeCursor, page } from '../core/cursor'
import { versionTag } from '../core/entity-tag'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { json, jsonBody, problems } from '../http/common-schemas'
import { expectedVersion } from '../http/if-match'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { newId, randomBytes, systemClock } from '../platform/runtime'
import { endpointUrlProblem } from './endpoint-url'
import { TEST_EVENT_TYPE, testPayload } from './event-audience'
import { previousSecretExpiry } from './secret-rotation'
import { CreatedEndpointSchema, CreateEndpointBody, DeliveriesQuery, DeliveryPage, DeliveryParams, DeliverySchema, EndpointIdParam, EndpointPage, EndpointSchema, EndpointsQuery, exampleTestDelivery, IfMatchHeader, RotatedSecretSchema, UpdateEndpointBody } from './webhook-endpoint-schemas'
import { createEndpoint, deleteEndpoint, endpointsOf, MAX_ENDPOINTS_PER_USER, ownedEndpoint, rotateSecret, updateEndpoint, type WebhookEndpoint } from './webhook-endpoint-store'
import { deliveries, delivery, openMessages, reopenMessage, type Delivery } from './webhook-message-store'

const tags = ['Webhooks']
const security = [{ bearer: [] }]
const guarded = requireAccess('webhooks.manage')

const createRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints',
  tags,
  security,
  summary: 'Register a URL for events you are a party to (your listings, your orders); the signing secret is shown once',
  middleware: guarded,
  request: { body: jsonBody(CreateEndpointBody) },
  responses: { 201: { description: 'Created', ...json(CreatedEndpointSchema) }, 400: problems[400], 401: problems[401], 403: problems[403], 409: problems[409], 422: problems[422] },
})

const listRouteDef = createRoute({
  method: 'get',
  path: '/webhook-endpoints',
  tags,
  security,
  summary: 'Your endpoints, newest first (never their secrets)',
  middleware: guarded,
  request: { query: EndpointsQuery },
  responses: { 200: { description: 'A page of endpoints', ...json(EndpointPage) }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

const getRouteDef = createRoute({
  method: 'get',
  path: '/webhook-endpoints/{id}',
  tags,
  security,
  summary: 'One of your endpoints',
  middleware: guarded,
  request: { params: EndpointIdParam },
  responses: { 200: { description: 'The endpoint', ...json(EndpointSchema) }, 401: problems[401], 403: problems[403], 404: problems[404] },
})

const updateRouteDef = createRoute({
  method: 'patch',
  path: '/webhook-endpoints/{id}',
  tags,
  security,
  summary: 'Change the URL or the event filter, or pause and resume deliveries; needs If-Match',
  middleware: guarded,
  request: { params: EndpointIdParam, headers: IfMatchHeader, body: jsonBody(UpdateEndpointBody) },
  responses: {
    200: { description: 'Updated', ...json(EndpointSchema) },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
    412: { description: '`version_conflict`: the endpoint changed since you read it', content: problems[409].content },
    422: problems[422],
    428: { description: '`precondition_required`: send If-Match', content: problems[409].content },
  },
})

const deleteRouteDef = createRoute({
  method: 'delete',
  path: '/webhook-endpoints/{id}',
  tags,
  security,
  summary: 'Stop sending to this endpoint',
  middleware: guarded,
  request: { params: EndpointIdParam },
  responses: { 204: { description: 'Deleted' }, 401: problems[401], 403: problems[403], 404: problems[404] },
})

const rotateRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{id}/rotate-secret',
  tags,
  security,
  summary: 'Issue a new signing secret (shown once); for 24 h deliveries are signed with both the old and the new one',
  middleware: guarded,
  request: { params: EndpointIdParam },
  responses: { 200: { description: 'The new secret', ...json(RotatedSecretSchema) }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
})

const testRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{id}/test',
  tags,
  security,
  summary: 'Send a webhook.test event to this endpoint alone, signed and retried like any delivery',
  middleware: guarded,
  request: { params: EndpointIdParam },
  responses: { 202: { description: 'Queued; follow it in the delivery log', content: { 'application/json': { schema: DeliverySchema, example: exampleTestDelivery } } }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409] },
})

const deliveriesRouteDef = createRoute({
  method: 'get',
  path: '/webhook-endpoints/{id}/deliveries',
  tags,
  security,
  summary: 'The delivery log: each message with every attempt’s status and duration, newest first',
  middleware: guarded,
  request: { params: EndpointIdParam, query: DeliveriesQuery },
  responses: { 200: { description: 'A page of deliveries', ...json(DeliveryPage) }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
})

const retryRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{id}/deliveries/{deliveryId}/retry',
  tags,
  security,
  summary: 'Send one message again now (same webhook-id)',
  middleware: guarded,
  request: { params: DeliveryParams },
  responses: { 202: { description: 'Queued', ...json(DeliverySchema) }, 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409] },
})

const endpointView = (e: WebhookEndpoint) => ({ id: e.id, url: e.url, events: e.events, status: e.status, disabledReason: e.disabledReason, version: e.version, createdAt: e.createdAt })
const deliveryView = (d: Delivery) => ({ id: d.id, type: d.type, status: d.status, attempts: d.attemptLog, createdAt: d.createdAt, deliveredAt: d.deliveredAt })

async function mine(c: Context<AppEnv>, id: string): Promise<WebhookEndpoint> {
  const endpoint = await ownedEndpoint(c.env.DB, principalOf(c).userId, id)
  if (!endpoint) throw new Problem(404, 'not_found')
  return endpoint
}

/** `whsec_` + 24 random bytes in base64, as the Standard Webhooks libraries expect. */
const newSecret = (): string => `whsec_${btoa(String.fromCharCode(...randomBytes(24)))}`

export const webhookEndpointRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(createRouteDef, async (c) => {
    const owner = principalOf(c)
    const { url, events } = c.req.valid('json')
    const problem = endpointUrlProblem(url, c.var.settings.environment)
    if (problem) throw new Problem(422, 'invalid_webhook_url', problem)
    const now = systemClock().toISOString()
    const endpoint = { id: newId('whe'), ownerId: owner.userId, url, events: [...new Set(events)], secret: newSecret(), createdAt: now }
    if (!(await createEndpoint(c.env.DB, endpoint))) throw new Problem(409, 'webhook_endpoint_limit', `At most ${MAX_ENDPOINTS_PER_USER} endpoints per user`)
    c.header('Location', `/v1/webhook-endpoints/${endpoint.id}`)
    return c.json({ ...endpointView({ ...endpoint, status: 'active', disabledReason: null, failingSince: null, version: 1, previousSecret: null, previousSecretExpiresAt: null }), secret: endpoint.secret }, 201)
  })
  .openapi(listRouteDef, async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const rows = await endpointsOf(c.env.DB, principalOf(c).userId, limit, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, limit, (e) => e.id)
    return c.json({ data: data.map(endpointView), nextCursor }, 200)
  })
  .openapi(getRouteDef, async (c) => {
    const endpoint = await mine(c, c.req.valid('param').id)
    c.header('ETag', versionTag(endpoint.version))
    return c.json(endpointView(endpoint), 200)
  })
  .openapi(updateRouteDef, async (c) => {
    const { id } = c.req.valid('param')
    const expected = expectedVersion(c.req.valid('header')['if-match'])
    if (expected === 'required') throw new Problem(428, 'precondition_required')
    if (expected === 'unmatchable') throw new Problem(412, 'version_conflict', 'If-Match must be a strong ETag such as "2", or *')
    const { url, events, enabled } = c.req.valid('json')
    const problem = url === undefined ? null : endpointUrlProblem(url, c.var.settings.environment)
    if (problem) throw new Problem(422, 'invalid_webhook_url', problem)
    const updated = await updateEndpoint(c.env.DB, principalOf(c).userId, id, { url, events: events && [...new Set(events)], enabled }, expected)
    if (updated === 'missing') throw new Problem(404, 'not_found')
    if (updated === 'stale') throw new Problem(412, 'version_conflict')
    c.header('ETag', versionTag(updated.version))
    return c.json(endpointView(updated), 200)
  })
  .openapi(deleteRouteDef, async (c) => {
    const endpoint = await mine(c, c.req.valid('param').id)
    await deleteEndpoint(c.env.DB, endpoint.ownerId, endpoint.id, systemClock().toISOString())
    return c.body(null, 204)
  })
  .openapi(rotateRouteDef, async (c) => {
    const { id } = c.req.valid('param')
    const secret = newSecret()
    const previousSecretExpiresAt = previousSecretExpiry(systemClock())
    if (!(await rotateSecret(c.env.DB, principalOf(c).userId, id, secret, previousSecretExpiresAt))) throw new Problem(404, 'not_found')
    return c.json({ secret, previousSecretExpiresAt }, 200)
  })
  .openapi(testRouteDef, async (c) => {
    const endpoint = await mine(c, c.req.valid('param').id)
    if (endpoint.status !== 'active') throw new Problem(409, 'invalid_transition', `The endpoint is ${endpoint.status}`, { extra: { currentStatus: endpoint.status } })
    const now = systemClock()
    const eventId = newId('evt', now)
    const message = { id: newId('msg', now), endpointId: endpoint.id, eventId, type: TEST_EVENT_TYPE, payload: JSON.stringify(testPayload(endpoint.id, eventId, now)), createdAt: now.toISOString() }
    await openMessages(c.env.DB, [], [message], now)
    await c.env.WEBHOOKS.send({ messageId: message.id }, { contentType: 'json' })
    return c.json(deliveryView({ ...message, status: 'pending', attempts: 0, lastStatus: null, deliveredAt: null, attemptLog: [] }), 202)
  })
  .openapi(deliveriesRouteDef, async (c) => {
    const endpoint = await mine(c, c.req.valid('param').id)
    const { limit, cursor } = c.req.valid('query')
    const rows = await deliveries(c.env.DB, endpoint.id, limit, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, limit, (d) => d.id)
    return c.json({ data: data.map(deliveryView), nextCursor }, 200)
  })
  .openapi(retryRouteDef, async (c) => {
    const { id, deliveryId } = c.req.valid('param')
    const endpoint = await mine(c, id)
    const message = await delivery(c.env.DB, endpoint.id, deliveryId)
    if (!message) throw new Problem(404, 'not_found')
    if (endpoint.status !== 'active') throw new Problem(409, 'invalid_transition', `The endpoint is ${endpoint.status}`, { extra: { currentStatus: endpoint.status } })
    await reopenMessage(c.env.DB, message.id)
    await c.env.WEBHOOKS.send({ messageId: message.id }, { contentType: 'json' })
    return c.json(deliveryView({ ...message, status: 'pending' }), 202)
  })

import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { decodeCursor, page } from '../core/cursor'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, refusalProblem, requireAccess } from '../http/authorization'
import { jsonBody, PageQuery, pageOf, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { requireStepUp } from '../http/step-up'
import { validationProblem } from '../http/validation-problem'
import { newId, randomBytes, systemClock } from '../platform/runtime'
import { ApiKeyIdParam, ApiKeySchema, apiKeyView, CreateApiKeyBody, CreatedApiKeySchema } from './api-key-schemas'
import { insertApiKey, listApiKeys, MAX_LIVE_KEYS, revokeApiKey } from './api-key-store'
import { credentialHash, displayPrefix, mintToken, TOKEN_RANDOM_BYTES } from './credentials'
import { grantRefusal } from './policy'

const tags = ['API keys']
const security = [{ bearer: [] }]

const createKeyRoute = createRoute({
  method: 'post',
  path: '/api-keys',
  tags,
  security,
  summary: 'Create an API key with scopes (shown once; needs step-up MFA where TOTP is on)',
  middleware: [requireAccess('apiKeys.manage'), requireStepUp()] as const,
  request: { body: jsonBody(CreateApiKeyBody) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: CreatedApiKeySchema } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: problems[409],
  },
})

const listKeysRoute = createRoute({
  method: 'get',
  path: '/api-keys',
  tags,
  security,
  summary: "The caller's live API keys, newest first (never the secrets)",
  middleware: [requireAccess('apiKeys.manage')] as const,
  request: { query: PageQuery },
  responses: {
    200: { description: 'A page of keys', content: { 'application/json': { schema: pageOf(ApiKeySchema) } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
  },
})

const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  tags,
  security,
  summary: 'Revoke an API key; it stops working at once',
  middleware: [requireAccess('apiKeys.manage')] as const,
  request: { params: ApiKeyIdParam },
  responses: { 204: { description: 'Revoked' }, 401: problems[401], 403: problems[403], 404: problems[404] },
})

export const apiKeyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(createKeyRoute, async (c) => {
    const principal = principalOf(c)
    const { name, scopes } = c.req.valid('json')
    const refusal = grantRefusal(principal, scopes)
    if (refusal) throw refusalProblem(refusal)
    const now = systemClock()
    const key = mintToken('api_key', randomBytes(TOKEN_RANDOM_BYTES))
    const record = {
      id: newId('key', now),
      userId: principal.userId,
      name,
      tokenHash: await credentialHash(key),
      prefix: displayPrefix(key),
      scopes,
      createdAt: now.toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    }
    if ((await insertApiKey(database(c.env.DB), record)) === 'at_limit') {
      throw new Problem(409, 'api_key_limit', `A user may hold at most ${MAX_LIVE_KEYS} live API keys; revoke one first`)
    }
    return c.json({ ...apiKeyView(record), key }, 201)
  })
  .openapi(listKeysRoute, async (c) => {
    const principal = principalOf(c)
    const { limit, cursor } = c.req.valid('query')
    const rows = await listApiKeys(database(c.env.DB), principal.userId, limit, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, limit, (k) => k.id)
    return c.json({ data: data.map(apiKeyView), nextCursor }, 200)
  })
  .openapi(revokeKeyRoute, async (c) => {
    const principal = principalOf(c)
    const { id } = c.req.valid('param')
    const revoked = await revokeApiKey(database(c.env.DB), principal.userId, id, systemClock())
    if (!revoked) throw new Problem(404, 'not_found')
    return c.body(null, 204)
  })

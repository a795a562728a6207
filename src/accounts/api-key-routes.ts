import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { decodeCursor, page } from '../core/cursor'
import type { AppEnv } from '../env'
import { credentialCacheOf } from '../http/authenticate'
import { principalOf, refusalProblem, requireAccess } from '../http/authorization'
import { unauthenticated } from '../http/unauthenticated'
import { jsonBody, PageQuery, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { requireStepUp, StepUpHeaders } from '../http/step-up'
import { validationProblem } from '../http/validation-problem'
import { newId, randomBytes, systemClock } from '../platform/runtime'
import { ApiKeyIdParam, ApiKeyPage, apiKeyView, CreateApiKeyBody, CreatedApiKeySchema } from './api-key-schemas'
import { MAX_LIVE_KEYS, type StoredCredential } from './account-credentials'
import { accountStub } from './account-adapters'
import { credentialHash, displayPrefix, mintToken, TOKEN_RANDOM_BYTES } from './credentials'
import { grantRefusal } from './policy'
import { endLiveSockets } from '../notifications/user-live-object'
import { audit } from '../audit/audit-adapters'

const tags = ['API keys']
const security = [{ bearer: [] }]

const createKeyRoute = createRoute({
  method: 'post',
  path: '/api-keys',
  tags,
  security,
  summary: 'Create an API key with scopes (shown once; needs step-up MFA where TOTP is on)',
  middleware: [requireAccess('apiKeys.manage'), requireStepUp()] as const,
  request: { headers: StepUpHeaders, body: jsonBody(CreateApiKeyBody) },
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
    200: { description: 'A page of keys', content: { 'application/json': { schema: ApiKeyPage } } },
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
    const key = mintToken('api_key', principal.userId, randomBytes(TOKEN_RANDOM_BYTES))
    const credential: StoredCredential = {
      id: newId('key', now),
      kind: 'api_key',
      tokenHash: await credentialHash(key),
      createdAt: now.toISOString(),
      expiresAt: null,
      revokedAt: null,
      name,
      prefix: displayPrefix(key),
      scopes,
      lastUsedAt: null,
    }
    const issued = await accountStub(c.env, principal.userId).issue(credential)
    if (issued === 'at_limit') throw new Problem(409, 'api_key_limit', `A user may hold at most ${MAX_LIVE_KEYS} live API keys; revoke one first`)
    if (issued === 'frozen') throw refusalProblem({ status: 403, code: 'account_frozen' })
    if (issued !== 'issued') throw unauthenticated()
    await audit(c.env, c.var.log, { actorId: principal.userId, action: 'api_key.created', subjectId: credential.id, details: { scopes: scopes.join(' ') } })
    return c.json({ ...apiKeyView(credential), key }, 201)
  })
  .openapi(listKeysRoute, async (c) => {
    const principal = principalOf(c)
    const { limit, cursor } = c.req.valid('query')
    const keys = await accountStub(c.env, principal.userId).apiKeys(limit, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(keys, limit, (k) => k.id)
    return c.json({ data: data.map(apiKeyView), nextCursor }, 200)
  })
  .openapi(revokeKeyRoute, async (c) => {
    const principal = principalOf(c)
    const { id } = c.req.valid('param')
    // Scoped by owner: the account holds only its own keys, so another user's key id is unknown here.
    if (!(await accountStub(c.env, principal.userId).revoke(id, 'api_key'))) throw new Problem(404, 'not_found')
    credentialCacheOf(c.var.settings).forget({ credentialId: id })
    await endLiveSockets(c.env, principal.userId, id, c.var.log)
    await audit(c.env, c.var.log, { actorId: principal.userId, action: 'api_key.revoked', subjectId: id })
    return c.body(null, 204)
  })

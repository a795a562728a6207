import { z } from '@hono/zod-openapi'
import { pageOf } from '../http/common-schemas'
import { textLine } from '../http/text-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import type { StoredCredential } from './account-credentials'
import { scopes } from './scopes'

export const CreateApiKeyBody = z
  .strictObject({
    name: textLine(100).openapi({ example: 'inventory sync' }),
    scopes: z
      .array(z.enum(scopes))
      .min(1)
      .max(scopes.length)
      .refine((list) => new Set(list).size === list.length, 'must not repeat a scope'),
  })
  .openapi('CreateApiKeyRequest', { example: { name: 'inventory sync', scopes: ['account:read', 'listings:write'] } })

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.apiKey }),
    name: z.string(),
    scopes: z.array(z.enum(scopes)),
    prefix: z.string().openapi({ description: 'The start of the key, to tell keys apart', example: 'sk_…aZ9q' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('ApiKey')

const exampleKey = { id: exampleIds.apiKey, name: 'inventory sync', scopes: ['account:read', 'listings:write'], prefix: 'sk_…aZ9q', createdAt: '2026-03-15T11:00:00.000Z', lastUsedAt: null }

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The secret (`sk_…`). Shown once: store it now.' }),
}).openapi('CreatedApiKey', { example: { ...exampleKey, key: 'sk_01jd3v6w2k8m4n5p6q7r8s9t0vPq7wX2mK9rB4nT6yH1cJ8sD3fG5zL0aE4uV9iaZ9q' } })

export const ApiKeyPage = pageOf(ApiKeySchema).openapi('ApiKeyPage', { example: { data: [{ ...exampleKey, lastUsedAt: '2026-03-15T11:05:00.000Z' }], nextCursor: null } })

export const ApiKeyIdParam = z.object({
  id: z.string().regex(/^key_[0-9a-z]{26}$/, 'must be an API key id').openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.apiKey }),
})

export function apiKeyView(k: StoredCredential): z.infer<typeof ApiKeySchema> {
  return {
    id: k.id,
    name: k.name ?? '',
    scopes: (k.scopes ?? []).filter((s): s is (typeof scopes)[number] => (scopes as readonly string[]).includes(s)),
    prefix: k.prefix ?? '',
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
  }
}

import { z } from '@hono/zod-openapi'
import type { StoredCredential } from './account-credentials'
import { scopes } from './scopes'

export const CreateApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).openapi({ example: 'inventory sync' }),
    scopes: z
      .array(z.enum(scopes))
      .min(1)
      .max(scopes.length)
      .refine((list) => new Set(list).size === list.length, 'must not repeat a scope'),
  })
  .openapi('CreateApiKeyRequest')

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_01jd3v6w2k8m4n5p6q7r8s9t0v' }),
    name: z.string(),
    scopes: z.array(z.enum(scopes)),
    prefix: z.string().openapi({ description: 'The start of the key, to tell keys apart', example: 'sk_…aZ9q' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('ApiKey')

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The secret (`sk_…`). Shown once: store it now.' }),
}).openapi('CreatedApiKey')

export const ApiKeyIdParam = z.object({
  id: z.string().regex(/^key_[0-9a-z]{26}$/, 'must be an API key id').openapi({ param: { name: 'id', in: 'path' } }),
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

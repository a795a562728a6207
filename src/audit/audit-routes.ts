import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { requireAccess } from '../http/authorization'
import { problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { validationProblem } from '../http/validation-problem'
import { auditActions } from './audit-adapters'
import { auditLogStub } from './audit-log-object'

const tags = ['Admin']
const security = [{ bearer: [] }]

const exampleEntry = {
  seq: 42,
  at: '2026-03-16T10:12:00.000Z',
  actorId: exampleIds.admin,
  action: 'account.frozen',
  subjectId: exampleIds.buyer,
  details: {},
  prevHash: '6f1ed002ab5595859014ebf0951522d9a0c1e1d1c9b7e1d4b1a3f1e2d3c4b5a6',
  hash: '3b7c1d2e4f5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
}

const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actorId: z.string(),
    action: z.enum(auditActions),
    subjectId: z.string().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    prevHash: z.string().openapi({ description: 'The hash of the entry before (64 zeros before the first)' }),
    hash: z.string().openapi({ description: 'SHA-256 of `prevHash` and this entry’s fields' }),
  })
  .openapi('AuditEntry', { example: exampleEntry })

const AuditPage = z
  .object({ data: z.array(AuditEntrySchema), nextCursor: z.string().nullable().openapi({ description: 'Pass as `before`' }) })
  .openapi('AuditPage', { example: { data: [exampleEntry], nextCursor: '42' } })

const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.coerce.number().int().min(1).optional().openapi({ description: 'Entries before this seq (the page’s `nextCursor`)', example: 43 }),
  action: z.enum(auditActions).optional(),
  actorId: z.string().max(40).optional(),
  subjectId: z.string().max(40).optional(),
})

const Verification = z
  .object({
    ok: z.boolean(),
    entries: z.number().int().openapi({ description: 'Entries that hold, in seq order (all of them, or those before the break)' }),
    head: z.string().optional().openapi({ description: 'The last hash, when the chain holds: keep it elsewhere to prove the log later' }),
    firstBreak: z
      .object({ seq: z.number().int(), reason: z.enum(['missing', 'unlinked', 'altered']) })
      .optional()
      .openapi({ description: 'The first entry that does not hold: deleted (`missing`), out of its place (`unlinked`), or changed (`altered`)' }),
  })
  .openapi('AuditVerification', { example: { ok: true, entries: 42, head: exampleEntry.hash } })

const listRoute = createRoute({
  method: 'get',
  path: '/admin/audit',
  tags,
  security,
  summary: 'Admins: the audit log, newest first, by action, actor or subject',
  middleware: requireAccess('audit.read'),
  request: { query: AuditQuery },
  responses: { 200: { description: 'A page of entries', content: { 'application/json': { schema: AuditPage } } }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

const verifyRoute = createRoute({
  method: 'get',
  path: '/admin/audit/verify',
  tags,
  security,
  summary: 'Admins: walk the whole hash chain and name the first entry that was deleted, moved or changed',
  middleware: requireAccess('audit.read'),
  responses: { 200: { description: 'The verdict', content: { 'application/json': { schema: Verification } } }, 401: problems[401], 403: problems[403] },
})

export const auditRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(listRoute, async (c) => {
    const { limit, ...filters } = c.req.valid('query')
    const rows = await auditLogStub(c.env).list({ ...filters, limit: limit + 1 })
    const data = rows.slice(0, limit)
    const last = data.at(-1)
    return c.json({ data: data.map((r) => ({ ...r, action: r.action as (typeof auditActions)[number] })), nextCursor: rows.length > limit && last ? String(last.seq) : null }, 200)
  })
  .openapi(verifyRoute, async (c) => c.json(await auditLogStub(c.env).verify(), 200))

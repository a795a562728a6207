import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { audit } from '../audit/audit-adapters'
import { decodeCursor, page } from '../core/cursor'
import { versionTag } from '../core/entity-tag'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { clientIp } from '../http/client-ip'
import { json, jsonBody, PageQuery, problems } from '../http/common-schemas'
import { expectedVersion } from '../http/if-match'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { portsOf } from '../orders/order-adapters'
import { approveHeldOrder, rejectHeldOrder, type ReviewOutcome } from '../orders/order-review'
import { systemClock } from '../platform/runtime'
import { payoutPorts, queuePayoutTransfer } from '../payouts/payout-adapters'
import { blocklistMatcher, formatCidr, parseCidr, type Cidr } from './cidr'
import { riskReviewKinds, riskReviewStatuses } from './review-kinds'
import { rememberCurrent } from './risk-policy-adapters'
import { MAX_BLOCKED_RANGES, riskPolicyStub } from './risk-policy-object'
import { decideReview, findReview, listReviews, type RiskReview } from './risk-review-store'
import { MAX_RULES, RiskRule, ruleSetProblems } from './risk-rules'

const tags = ['Admin']
const security = [{ bearer: [] }]

const exampleRule = {
  id: 'card_testing',
  action: 'checkout',
  verdict: 'block',
  all: [{ signal: 'buyer_cards_24h', op: 'gte', value: 6 }],
  any: [],
  reason: 'six or more payment methods tried in a day',
  enabled: true,
} as const

const RiskRuleSchema = RiskRule.openapi('RiskRule', {
  description: 'Matches when every test in `all` holds and, if `any` is given, at least one of `any`. Evaluated in Radar’s order: challenge, allow, block, review.',
  example: exampleRule,
})

const RuleSetSchema = z
  .object({
    version: z.number().int().openapi({ description: 'Also the ETag: send it back in If-Match to save' }),
    rules: z.array(RiskRuleSchema),
    savedAt: z.string(),
    savedBy: z.string().nullable().openapi({ description: 'Who saved it (null: the deployment’s initial rules)' }),
  })
  .openapi('RiskRuleSet', { example: { version: 3, rules: [exampleRule], savedAt: '2026-03-16T10:12:00.000Z', savedBy: exampleIds.admin } })

const RuleVersionsPage = z
  .object({ data: z.array(RuleSetSchema), nextCursor: z.string().nullable().openapi({ description: 'Pass as `before`' }) })
  .openapi('RiskRuleVersions', { example: { data: [{ version: 3, rules: [exampleRule], savedAt: '2026-03-16T10:12:00.000Z', savedBy: exampleIds.admin }], nextCursor: null } })

const PutRulesBody = z.object({ rules: z.array(RiskRuleSchema).max(MAX_RULES) }).openapi('RiskRulesUpdate', { example: { rules: [exampleRule] } })

const BlocklistSchema = z
  .object({ version: z.number().int(), cidrs: z.array(z.string()), savedAt: z.string(), savedBy: z.string().nullable() })
  .openapi('IpBlocklist', { example: { version: 2, cidrs: ['203.0.113.0/24', '2001:db8:0:0:0:0:0:0/32'], savedAt: '2026-03-16T10:12:00.000Z', savedBy: exampleIds.admin } })

const ImportBody = z
  .object({
    cidrs: z
      .array(z.string().min(1).max(64))
      .min(1)
      .max(1000)
      .openapi({ description: 'IPv4 or IPv6 ranges (`203.0.113.0/24`, `2001:db8::/32`) or single addresses; host bits must be zero' }),
    mode: z.enum(['add', 'replace']).default('add').openapi({ description: '`add` (an import) or `replace` the whole list' }),
  })
  .openapi('IpBlocklistImport', { example: { cidrs: ['203.0.113.0/24', '2001:db8::/32'], mode: 'add' } })

const exampleReview = {
  id: exampleIds.riskReview,
  kind: 'order',
  subjectId: exampleIds.order,
  userId: exampleIds.buyer,
  reasons: ['shared_card: one payment method used by four or more buyers in a day'],
  score: 48,
  status: 'open',
  createdAt: '2026-03-16T10:12:00.000Z',
  decidedAt: null,
  decidedBy: null,
} as const

const ReviewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(riskReviewKinds).openapi({ description: '`order`: held `pending_review`, its payment authorized; the other kinds went ahead and are flagged' }),
    subjectId: z.string().openapi({ description: 'The order, payout, listing, user or bid reviewed' }),
    userId: z.string(),
    reasons: z.array(z.string()),
    score: z.number().int().nullable().openapi({ description: 'The anomaly score, for a checkout' }),
    status: z.enum(riskReviewStatuses),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable(),
  })
  .openapi('RiskReview', { example: exampleReview })

const ReviewPage = z
  .object({ data: z.array(ReviewSchema), nextCursor: z.string().nullable() })
  .openapi('RiskReviewPage', { example: { data: [exampleReview], nextCursor: null } })

const ReviewDecision = z
  .object({
    review: ReviewSchema,
    orderStatus: z.enum(['paid', 'cancelled']).nullable().openapi({ description: 'For an order: `paid` once approved (captured), `cancelled` once rejected (voided)' }),
  })
  .openapi('RiskReviewDecision', { example: { review: { ...exampleReview, status: 'approved', decidedAt: '2026-03-16T10:20:00.000Z', decidedBy: exampleIds.admin }, orderStatus: 'paid' } })

const ReviewQuery = PageQuery.extend({ status: z.enum(riskReviewStatuses).optional().openapi({ example: 'open' }), kind: z.enum(riskReviewKinds).optional() })
const ReviewIdParam = z.object({ id: z.string().regex(/^rsk_[0-9a-hjkmnp-tv-z]{26}$/).openapi({ param: { name: 'id', in: 'path' }, example: exampleReview.id }) })
const IfMatchHeader = z.object({ 'if-match': z.string().optional().openapi({ description: 'The version you read, as its ETag ("3"), or *', example: '"3"' }) })
const VersionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(50).default(10), before: z.coerce.number().int().min(1).optional().openapi({ description: 'Versions before this one', example: 3 }) })

const admin = { 400: problems[400], 401: problems[401], 403: problems[403] } as const

const getRulesRoute = createRoute({
  method: 'get',
  path: '/admin/risk/rules',
  tags,
  security,
  summary: 'Admins: the risk rules in force, with their version (the ETag)',
  middleware: requireAccess('risk.manage'),
  responses: { 200: { description: 'The current rule set', ...json(RuleSetSchema) }, 401: problems[401], 403: problems[403] },
})

const putRulesRoute = createRoute({
  method: 'put',
  path: '/admin/risk/rules',
  tags,
  security,
  summary: 'Admins: save a new version of the risk rules (If-Match: the version you edited); every isolate runs it within RISK_POLICY_TTL_SECONDS',
  middleware: requireAccess('risk.manage'),
  request: { headers: IfMatchHeader, body: jsonBody(PutRulesBody) },
  responses: {
    200: { description: 'Saved as the next version', ...json(RuleSetSchema) },
    ...admin,
    412: { description: '`version_conflict`: someone saved another version since you read yours', content: problems[409].content },
    422: { description: '`risk_rules_invalid`: `problems` names each rule at fault (an unknown signal, a wrong type, a repeated id)', content: problems[422].content },
    428: { description: '`precondition_required`: send If-Match', content: problems[409].content },
  },
})

const versionsRoute = createRoute({
  method: 'get',
  path: '/admin/risk/rules/versions',
  tags,
  security,
  summary: 'Admins: every saved version of the rules, newest first: what changed, when and by whom',
  middleware: requireAccess('risk.manage'),
  request: { query: VersionsQuery },
  responses: { 200: { description: 'A page of versions', ...json(RuleVersionsPage) }, ...admin },
})

const getBlocklistRoute = createRoute({
  method: 'get',
  path: '/admin/risk/blocklist',
  tags,
  security,
  summary: 'Admins: the IP ranges refused at the edge (403 `ip_blocked`)',
  middleware: requireAccess('risk.manage'),
  responses: { 200: { description: 'The blocklist', ...json(BlocklistSchema) }, 401: problems[401], 403: problems[403] },
})

const importBlocklistRoute = createRoute({
  method: 'post',
  path: '/admin/risk/blocklist',
  tags,
  security,
  summary: 'Admins: import IP ranges into the blocklist (or replace it); refused at every edge within RISK_POLICY_TTL_SECONDS',
  middleware: requireAccess('risk.manage'),
  request: { body: jsonBody(ImportBody) },
  responses: {
    200: { description: 'The blocklist after the import', ...json(BlocklistSchema) },
    ...admin,
    422: { description: '`validation_failed` naming each range that is not one; `blocks_yourself` when a range holds the address you are calling from', content: problems[422].content },
  },
})

const listReviewsRoute = createRoute({
  method: 'get',
  path: '/admin/risk/reviews',
  tags,
  security,
  summary: 'Staff: the manual review queue, newest first, by status and kind',
  middleware: requireAccess('risk.review'),
  request: { query: ReviewQuery },
  responses: { 200: { description: 'A page of reviews', ...json(ReviewPage) }, ...admin },
})

const decisionResponses = {
  200: { description: 'Decided', ...json(ReviewDecision) },
  ...admin,
  404: problems[404],
  409: { description: '`review_decided`: it was decided already (a second approval changes nothing); `authorization_lost`: the held payment can no longer be captured, and the order was cancelled', content: problems[409].content },
  503: { description: '`payments_unavailable`: the provider could not be asked; nothing changed, try again', content: problems[503].content },
} as const

const approveRoute = createRoute({
  method: 'post',
  path: '/admin/risk/reviews/{id}/approve',
  tags,
  security,
  summary: 'Staff: approve a review; a held order is captured and becomes `paid`',
  middleware: requireAccess('risk.review'),
  request: { params: ReviewIdParam },
  responses: decisionResponses,
})

const rejectRoute = createRoute({
  method: 'post',
  path: '/admin/risk/reviews/{id}/reject',
  tags,
  security,
  summary: 'Staff: reject a review; a held order is voided, `cancelled`, and its units go back on sale',
  middleware: requireAccess('risk.review'),
  request: { params: ReviewIdParam },
  responses: decisionResponses,
})

/** Each range parsed, or a 422 naming those that are not ranges. */
function parseRanges(raw: string[]): Cidr[] {
  const parsed = raw.map((r) => ({ raw: r, cidr: parseCidr(r) }))
  const bad = parsed.filter((p) => p.cidr === null).map((p) => p.raw)
  if (bad.length > 0) throw new Problem(422, 'validation_failed', `Not IP ranges: ${bad.slice(0, 10).join(', ')}`, { extra: { invalid: bad } })
  return parsed.map((p) => p.cidr as Cidr)
}

export const riskRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(getRulesRoute, async (c) => {
    const current = await riskPolicyStub(c.env).current(c.var.settings.risk.initialRules)
    c.header('ETag', versionTag(current.version))
    return c.json(current, 200)
  })
  .openapi(putRulesRoute, async (c) => {
    const expected = expectedVersion(c.req.valid('header')['if-match'])
    if (expected === 'required') throw new Problem(428, 'precondition_required')
    if (expected === 'unmatchable') throw new Problem(412, 'version_conflict', 'If-Match must be a strong ETag such as "3", or *')
    const { rules } = c.req.valid('json')
    const problemsFound = ruleSetProblems(rules)
    if (problemsFound.length > 0) throw new Problem(422, 'risk_rules_invalid', problemsFound.slice(0, 5).join('; '), { extra: { problems: problemsFound } })
    const me = principalOf(c)
    const now = systemClock()
    const stub = riskPolicyStub(c.env)
    const saved = await stub.save(rules, expected ?? null, me.userId, now.toISOString())
    if (!saved.ok) throw new Problem(412, 'version_conflict', `The rules are at version ${saved.current} now`)
    await rememberCurrent(c.env, c.var.settings, now.getTime())
    await audit(c.env, c.var.log, { actorId: me.userId, action: 'risk.rules_changed', subjectId: null, details: { version: saved.saved.version, rules: rules.length } })
    c.header('ETag', versionTag(saved.saved.version))
    return c.json(saved.saved, 200)
  })
  .openapi(versionsRoute, async (c) => {
    const { limit, before } = c.req.valid('query')
    const rows = await riskPolicyStub(c.env).history(limit + 1, before ?? null)
    const data = rows.slice(0, limit)
    const last = data.at(-1)
    return c.json({ data, nextCursor: rows.length > limit && last ? String(last.version) : null }, 200)
  })
  .openapi(getBlocklistRoute, async (c) => c.json(await riskPolicyStub(c.env).blocklist(), 200))
  .openapi(importBlocklistRoute, async (c) => {
    const { cidrs, mode } = c.req.valid('json')
    const ranges = parseRanges(cidrs)
    // Staff cannot lock themselves (and so everyone who could undo it) out.
    if (blocklistMatcher(ranges)(clientIp(c))) throw new Problem(422, 'blocks_yourself', 'A range holds the address this request came from')
    const me = principalOf(c)
    const now = systemClock()
    const stub = riskPolicyStub(c.env)
    const saved = await stub.importRanges(ranges.map(formatCidr), mode, me.userId, now.toISOString())
    if (!saved.ok) throw new Problem(422, 'validation_failed', `The blocklist holds at most ${MAX_BLOCKED_RANGES} ranges`)
    await rememberCurrent(c.env, c.var.settings, now.getTime())
    await audit(c.env, c.var.log, { actorId: me.userId, action: 'risk.blocklist_changed', subjectId: null, details: { mode, ranges: ranges.length, total: saved.saved.cidrs.length, version: saved.saved.version } })
    return c.json(saved.saved, 200)
  })
  .openapi(listReviewsRoute, async (c) => {
    const { limit, cursor, status, kind } = c.req.valid('query')
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    if (cursor !== undefined && after === undefined) throw new Problem(400, 'validation_failed', 'The cursor is not one this list gave')
    const { data, nextCursor } = page(await listReviews(database(c.env.DB), { status, kind, limit, cursor: after }), limit, (r) => r.id)
    return c.json({ data: data.map(reviewView), nextCursor }, 200)
  })
  .openapi(approveRoute, async (c) => c.json(await decideRiskReview(c, c.req.valid('param').id, 'approved'), 200))
  .openapi(rejectRoute, async (c) => c.json(await decideRiskReview(c, c.req.valid('param').id, 'rejected'), 200))

/**
 * Decides a review. For a held order the order's own move decides (capture or void first, then a
 * conditional transition), and the review row follows; for a flag, the row's conditional update
 * decides. Either way a second decision answers 409 and changes nothing. The console's review
 * queue (web/admin/reviews-routes.tsx) decides through here too.
 */
export async function decideRiskReview(c: Context<AppEnv>, id: string, status: 'approved' | 'rejected') {
  const db = database(c.env.DB)
  const review = await findReview(db, id)
  if (!review) throw new Problem(404, 'not_found')
  if (review.status !== 'open') throw decidedProblem(review)
  const me = principalOf(c)
  // Nobody decides their own review: a staff member's held order or payout waits for a colleague.
  if (review.userId === me.userId) throw new Problem(403, 'forbidden', 'Your own held order, payout or flag is for another staff member to decide')
  let orderStatus: 'paid' | 'cancelled' | null = null
  if (review.kind === 'order') {
    const p = portsOf(c)
    const outcome = status === 'approved' ? await approveHeldOrder(p, review.subjectId, review.paymentRef) : await rejectHeldOrder(p, review.subjectId, review.paymentRef)
    orderStatus = await followOrder(c, review, outcome, me.userId)
  }
  const at = systemClock().toISOString()
  if (!(await decideReview(db, id, status, me.userId, at))) {
    const now = (await findReview(db, id)) ?? review
    // A rejection whose payout failure was not written yet (a crash between the two) is finished by the next try.
    if (now.kind === 'payout' && now.status === 'rejected') await failHeldPayout(c, now.subjectId)
    throw decidedProblem(now)
  }
  // A held payout: approved, its transfer starts (the sweep queues it if this send is lost); rejected, it fails and its money returns to the balance.
  if (review.kind === 'payout' && status === 'approved') await queuePayoutTransfer(c.env, review.subjectId).catch((err: unknown) => c.var.log.warn('payout_job_unqueued', { payoutId: review.subjectId, err }))
  if (review.kind === 'payout' && status === 'rejected') await failHeldPayout(c, review.subjectId)
  await audit(c.env, c.var.log, { actorId: me.userId, action: status === 'approved' ? 'risk.review_approved' : 'risk.review_rejected', subjectId: review.subjectId, details: { reviewId: id, kind: review.kind } })
  return { review: reviewView({ ...review, status, decidedAt: at, decidedBy: me.userId }), orderStatus }
}

async function followOrder(c: Context<AppEnv>, review: RiskReview, outcome: ReviewOutcome, staffId: string): Promise<'paid' | 'cancelled'> {
  switch (outcome.kind) {
    case 'decided':
      return outcome.order.status === 'paid' ? 'paid' : 'cancelled'
    case 'unavailable':
      throw new Problem(503, 'payments_unavailable', 'The payment provider could not be asked; nothing changed', { headers: { 'Retry-After': '5' } })
    case 'authorization_lost':
      await closeAs(c, review, 'rejected', staffId)
      throw new Problem(409, 'authorization_lost', 'The held payment can no longer be captured; the order was cancelled')
    case 'not_held':
      // Decided by another path that died before closing the review (or the hold ran out): the
      // review follows the order. Not within a minute of the move, when the colleague who made it
      // may still be closing it themselves.
      if ((outcome.status === 'paid' || outcome.status === 'cancelled') && outcome.since !== null && Date.parse(outcome.since) < systemClock().getTime() - SETTLED_AFTER_MS)
        await closeAs(c, review, outcome.status === 'paid' ? 'approved' : 'rejected', staffId)
      throw new Problem(409, 'review_decided', `The order is ${outcome.status ?? 'gone'}`)
  }
}

/** Closes a review whose order was decided, and audits it, if it is still open. */
async function closeAs(c: Context<AppEnv>, review: RiskReview, status: 'approved' | 'rejected', staffId: string): Promise<void> {
  if (!(await decideReview(database(c.env.DB), review.id, status, staffId, systemClock().toISOString()))) return
  await audit(c.env, c.var.log, { actorId: staffId, action: status === 'approved' ? 'risk.review_approved' : 'risk.review_rejected', subjectId: review.subjectId, details: { reviewId: review.id, kind: review.kind } })
}

async function failHeldPayout(c: Context<AppEnv>, payoutId: string): Promise<void> {
  const ports = payoutPorts(c.env, c.var.log)
  const payout = await ports.payouts.find(payoutId)
  if (payout?.status === 'pending' && (await ports.payouts.markFailed(payout, 'rejected_in_review', systemClock().toISOString()))) await ports.audit('payout.failed', payout, { code: 'rejected_in_review' })
}

/** A review as staff read it: the authorization's provider reference stays inside. */
const reviewView = ({ paymentRef: _paymentRef, ...view }: RiskReview) => view

/** How long after an order's decision its review may be closed by someone else (see followOrder). */
const SETTLED_AFTER_MS = 60_000

const decidedProblem = (r: RiskReview) => new Problem(409, 'review_decided', `This review was ${r.status}`, { extra: { status: r.status } })

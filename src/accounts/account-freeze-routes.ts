import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { and, eq, isNull } from 'drizzle-orm'
import { database } from '../db/client'
import { users } from '../db/schema'
import type { AppEnv } from '../env'
import { credentialCacheOf } from '../http/authenticate'
import { exampleIds } from '../http/openapi-example-ids'
import { principalOf, refusalProblem, requireAccess } from '../http/authorization'
import { problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { accountStub } from './account-adapters'
import { UserSchema, userIdParam, userView } from './account-schemas'
import { freezeRefusal } from './policy'
import { EVENT_VERSION } from '../events/contract/souk-event'
import { derivedEventId } from '../events/derived-event-id'
import { publishEvents } from '../events/publish-events'
import { emailOf, findUserById, standingOf } from './user-store'
import { personalDataOf } from '../pii/pii-adapters'
import { endLiveSockets } from '../notifications/user-live-object'
import { audit } from '../audit/audit-adapters'
import { SellerListingsUnreached, tellSellerListings } from '../listings/seller-listings-adapters'

const UserIdParam = userIdParam(exampleIds.buyer)

const freezeRoute = (path: 'freeze' | 'unfreeze', summary: string) =>
  createRoute({
    method: 'post',
    path: `/admin/users/{id}/${path}`,
    tags: ['Admin'],
    security: [{ bearer: [] }],
    summary,
    middleware: requireAccess('users.freeze'),
    request: { params: UserIdParam },
    responses: {
      200: { description: 'The account as it stands now', content: { 'application/json': { schema: UserSchema } } },
      401: problems[401],
      403: problems[403],
      404: problems[404],
      503: problems[503],
    },
  })

/**
 * Staff freeze an account (its sessions, keys and live sockets end; it cannot log in; its listings
 * are suspended: out of search, and nobody may buy, bid or make an offer) and unfreeze it
 * (the listings are reinstated). The record changes first, then the account object, which every
 * money and security route asks at once; other routes see it within CREDENTIAL_CACHE_MS; then
 * each of the seller's listing objects and their read-model rows. Repeating either is harmless,
 * and finishes what a failed one left undone. The console's users page freezes through here too.
 */
export async function setFrozen(c: Context<AppEnv>, id: string, frozen: boolean): Promise<ReturnType<typeof userView>> {
  const staff = principalOf(c)
  const db = database(c.env.DB)
  const target = await findUserById(db, id)
  if (!target || target.erasedAt !== null) throw new Problem(404, 'not_found')
  const refusal = freezeRefusal(staff, target)
  if (refusal) throw refusalProblem(refusal)
  const at = systemClock().toISOString()
  const frozenAt = frozen ? (target.frozenAt ?? at) : null
  await db.update(users).set({ frozenAt, updatedAt: at }).where(and(eq(users.id, id), isNull(users.erasedAt)))
  const after = { ...target, frozenAt, updatedAt: at }
  const seq = await accountStub(c.env, id).open(standingOf(after))
  credentialCacheOf(c.var.settings).forget({ userId: id })
  if (frozen) await endLiveSockets(c.env, id, undefined, c.var.log)
  c.var.log.info(frozen ? 'account_frozen' : 'account_unfrozen', { userId: id, by: staff.userId })
  await audit(c.env, c.var.log, { actorId: staff.userId, action: frozen ? 'account.frozen' : 'account.unfrozen', subjectId: id })
  try {
    const listings = await tellSellerListings(c.env, id, { frozen: after.frozenAt !== null, seq }, c.var.settings.listingRules.auctionPaymentMs, new Date(at), c.var.log)
    c.var.log.info(frozen ? 'seller_listings_suspended' : 'seller_listings_reinstated', { userId: id, listings })
  } catch (err) {
    if (!(err instanceof SellerListingsUnreached)) throw err
    c.var.log.warn('seller_listings_unreached', { userId: id, failed: err.failed })
    throw new Problem(503, 'service_unavailable', 'The account was changed, but some of its listings could not be reached; repeat the request', { headers: { 'Retry-After': '1' } })
  }
  try {
    await publishStanding(c.env, id, seq, after.frozenAt !== null, staff.userId, at)
  } catch (err) {
    // The change stands; only its event is missing, and repeating the request publishes it.
    c.var.log.warn('account_event_unpublished', { userId: id, seq, err })
    throw new Problem(503, 'service_unavailable', 'The account was changed, but its event could not be published; repeat the request', { headers: { 'Retry-After': '1' } })
  }
  return userView(after, await emailOf(personalDataOf(c.var.settings), after))
}

/**
 * `account.frozen` or `account.unfrozen` at the account's standing `seq`, under an id derived from
 * it: a repeated freeze publishes the same event again, which consumers apply once, so a failed
 * publish is made good by repeating the request.
 */
async function publishStanding(env: Env, userId: string, seq: number, frozen: boolean, by: string, at: string): Promise<void> {
  if (seq === 0) return
  const id = await derivedEventId(userId, seq)
  const type = frozen ? 'account.frozen' : 'account.unfrozen'
  await publishEvents(env, [{ id, type, version: EVENT_VERSION, aggregateId: userId, seq, occurredAt: at, data: { userId, by } }])
}

export const freezeRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(freezeRoute('freeze', 'Staff: freeze an account; it can no longer bid, buy, sell or log in'), async (c) => c.json(await setFrozen(c, c.req.valid('param').id, true), 200))
  .openapi(freezeRoute('unfreeze', 'Staff: unfreeze an account'), async (c) => c.json(await setFrozen(c, c.req.valid('param').id, false), 200))

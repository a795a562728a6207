import { OpenAPIHono } from '@hono/zod-openapi'
import { checkoutRoutes } from './checkout/checkout-routes'
import { balanceRoutes } from './ledger/balance-routes'
import { ledgerRoutes } from './ledger/ledger-routes'
import { orderRoutes } from './orders/order-routes'
import { webhookEndpointRoutes } from './webhook-endpoints/webhook-endpoint-routes'
import { webhookRoutes } from './webhooks/webhook-routes'
import { freezeRoutes } from './accounts/account-freeze-routes'
import { apiKeyRoutes } from './accounts/api-key-routes'
import { authRoutes } from './accounts/auth-routes'
import { meRoutes } from './accounts/me-routes'
import { mfaRoutes } from './accounts/mfa-routes'
import { profileRoutes } from './accounts/profile-routes'
import { bidPrefilter } from './listings/bid-prefilter-middleware'
import { bidRoutes } from './listings/bid-routes'
import { listingFacetRoutes } from './listings/listing-facet-routes'
import { listingRoutes } from './listings/listing-routes'
import { imageUploadBody, listingImageRoutes } from './listings/listing-image-routes'
import { imageServingRoutes } from './listings/image-serving-routes'
import { liveRoutes } from './listings/live-routes'
import { offerRoutes } from './listings/offer-routes'
import { readModelRebuildRoutes } from './listings/read-model-rebuild-routes'
import { watchRoutes } from './listings/watch-routes'
import type { AppEnv } from './env'
import { accessLog } from './http/access-log'
import { requestMetrics } from './http/request-metrics'
import { apiVersion } from './http/api-version'
import { afterResponse } from './http/after-response'
import { bindingProbe } from './http/binding-probe'
import { authenticate } from './http/authenticate'
import { bodyLimit, MAX_BODY_BYTES } from './http/body-limit'
import { idempotency } from './http/idempotency'
import { loadSettings } from './http/load-settings'
import { openApiDocument } from './http/openapi-document'
import { rateLimit } from './http/rate-limit'
import { rejectFrozen } from './http/reject-frozen'
import { notFound, renderProblem } from './http/render-problem'
import { requestContext } from './http/request-context'
import { validationProblem } from './http/validation-problem'
import { phoneRoutes } from './contact-points/phone-routes'
import { pushSubscriptionRoutes } from './contact-points/push-subscription-routes'
import { notificationRoutes } from './notifications/notification-routes'
import { userLiveRoutes } from './notifications/user-live-routes'
import { bindingCountsRoutes } from './ops/binding-counts-routes'
import { deadLetterRoutes } from './ops/dead-letter-routes'
import { alertRoutes } from './ops/alert-routes'
import { sloRoutes } from './ops/slo-routes'
import { healthRoutes } from './ops/health-routes'
import { docsRoutes } from './web/docs-routes'
import { adminConsole } from './web/admin/admin-routes'
import { site } from './web/site/site-routes'
import { auditRoutes } from './audit/audit-routes'
import { riskRoutes } from './risk/risk-routes'
import { adminOrderRoutes } from './orders/admin-order-routes'
import { adminUserRoutes } from './accounts/admin-user-routes'
import { adminNotificationRoutes } from './notifications/admin-notification-routes'
import { payoutAccountRoutes } from './payouts/payout-account-routes'
import { ipBlocklist } from './http/ip-blocklist'
import { verificationRoutes } from './kyc/verification-routes'
import { adminPayoutRoutes } from './payouts/admin-payout-routes'
import { pollRoutes } from './polls/poll-routes'

/** What every /v1 request passes through, in order, before its route. */
export const v1Middleware = () => [afterResponse(), bindingProbe(), loadSettings(), ipBlocklist(), bodyLimit(MAX_BODY_BYTES, [imageUploadBody]), bidPrefilter(), authenticate(), rejectFrozen(), rateLimit(), idempotency()] as const

/**
 * The Worker's HTTP app. Middleware order is decided here and only here (the ops console at
 * /admin adds its session and CSRF checks in web/admin/admin-routes.ts, the site's pages theirs in
 * web/site/site-routes.tsx):
 * request id + trace span → metrics → access log → API version (Souk-Version; refuses an unknown one before anything
 * else runs) → (problems: onError) → binding probe (development) → settings → IP blocklist → body limit → bid pre-filter
 * (refuses hopeless bids before paying for authentication) → auth → frozen accounts → rate limit →
 * idempotency → routes.
 */
export function createApp(): OpenAPIHono<AppEnv> {
  const v1 = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
    .use('*', ...v1Middleware())
    .route('/', authRoutes)
    .route('/', meRoutes)
    .route('/', mfaRoutes)
    .route('/', profileRoutes)
    .route('/', apiKeyRoutes)
    .route('/', freezeRoutes)
    .route('/', listingFacetRoutes) // before listingRoutes, whose /listings/{id} would take `facets` for an id
    .route('/', listingRoutes)
    .route('/', listingImageRoutes)
    .route('/', bidRoutes)
    .route('/', offerRoutes)
    .route('/', watchRoutes)
    .route('/', liveRoutes)
    .route('/', checkoutRoutes)
    .route('/', orderRoutes)
    .route('/', balanceRoutes)
    .route('/', adminPayoutRoutes)
    .route('/', verificationRoutes)
    .route('/', ledgerRoutes)
    .route('/', auditRoutes)
    .route('/', riskRoutes)
    .route('/', adminOrderRoutes)
    .route('/', adminUserRoutes)
    .route('/', adminNotificationRoutes)
    .route('/', payoutAccountRoutes)
    .route('/', webhookRoutes)
    .route('/', webhookEndpointRoutes)
    .route('/', deadLetterRoutes)
    .route('/', alertRoutes)
    .route('/', sloRoutes)
    .route('/', readModelRebuildRoutes)
    .route('/', pollRoutes)
    .route('/', bindingCountsRoutes)
    .route('/', notificationRoutes)
    .route('/', phoneRoutes)
    .route('/', pushSubscriptionRoutes)
    .route('/', userLiveRoutes)

  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  app.onError(renderProblem)
  app.notFound(notFound)
  app.use('*', requestContext(), requestMetrics(), accessLog(), apiVersion())
  app.route('/', healthRoutes)
  app.route('/', imageServingRoutes)
  app.route('/v1', v1)

  const document = openApiDocument(app)
  app.get('/v1/openapi.json', (c) => c.json(document()))
  app.route('/', docsRoutes(document))
  app.route('/', adminConsole())
  app.route('/', site(app))
  return app
}

import { z } from '@hono/zod-openapi'
import { exampleIds } from '../http/openapi-example-ids'
import { textLine } from '../http/text-schemas'
import type { StoredCredential } from './account-credentials'
import type { UserRecord } from './user-store'
import { roles } from './scopes'

/** Request and response shapes of the account routes; the OpenAPI document is generated from them. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('must be an e-mail address').max(254))
  .openapi({ example: exampleIds.buyerEmail, type: 'string', format: 'email' })

export const Password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters')
  .openapi({ example: 'correct horse battery staple' })

const DisplayName = textLine(64).openapi({ example: 'Ada' })

export const RegisterBody = z.strictObject({ email: Email, password: Password, displayName: DisplayName }).openapi('RegisterRequest', { example: { email: exampleIds.buyerEmail, password: 'correct horse battery staple', displayName: 'Ada' } })

export const LoginBody = z
  .strictObject({
    email: Email,
    password: z.string().min(1).max(256),
    totp: z.string().regex(/^\d{6}$/, 'must be 6 digits').optional(),
    recoveryCode: z
      .string()
      .regex(/^[0-9a-zA-Z]{5}-?[0-9a-zA-Z]{5}$/, 'must be a recovery code like k7m2q-x9dpt')
      .optional()
      .openapi({ description: 'One of the recovery codes shown when TOTP was turned on, instead of `totp`; each works once' }),
  })
  .refine((b) => !(b.totp && b.recoveryCode), { message: 'send totp or recoveryCode, not both', path: ['recoveryCode'] })
  .openapi('LoginRequest', { example: { email: exampleIds.buyerEmail, password: 'correct horse battery staple' } })

const exampleUser = { id: exampleIds.buyer, email: exampleIds.buyerEmail, displayName: 'Ada', role: 'user', frozen: false, createdAt: '2026-03-14T09:26:53.000Z' }
const exampleToken = 'st_01jd3v6w2k8m4n5p6q7r8s9t0vXq3mB7vR2kLp9wNc4tYh8sJd6fGz1aEo5uKi0bVnMxQ'

/** A user id in a route's path, with the example the OpenAPI document shows for it (a buyer's or a seller's). */
export const userIdParam = (example: string) => z.object({ id: z.string().regex(/^usr_[0-9a-z]{26}$/, 'must be a user id').openapi({ param: { name: 'id', in: 'path' }, example }) })

export const UserSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.buyer }),
    email: z.string(),
    displayName: z.string(),
    role: z.enum(roles),
    frozen: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('User', { example: exampleUser })

export const SessionToken = z.string().openapi({ description: 'A session token (`st_…`) for `Authorization: Bearer`' })

export const RegisterResponse = z.object({ user: UserSchema, token: SessionToken }).openapi('Registration', { example: { user: exampleUser, token: exampleToken } })
export const LoginResponse = z.object({ token: SessionToken, user: UserSchema }).openapi('Login', { example: { token: exampleToken, user: exampleUser } })

const Timestamp = z.string().openapi({ format: 'date-time' })

export const PersonalDataExport = z
  .object({
    exportedAt: Timestamp,
    user: UserSchema.omit({ frozen: true }).extend({ frozenAt: Timestamp.nullable(), updatedAt: Timestamp }),
    sessions: z.array(z.object({ id: z.string(), createdAt: Timestamp, expiresAt: Timestamp, revokedAt: Timestamp.nullable() })),
    apiKeys: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        prefix: z.string(),
        scopes: z.array(z.string()),
        createdAt: Timestamp,
        lastUsedAt: Timestamp.nullable(),
        revokedAt: Timestamp.nullable(),
      }),
    ),
    orders: z.array(
      z.object({
        id: z.string(),
        sellerId: z.string(),
        status: z.string(),
        currency: z.string(),
        total: z.number().int(),
        items: z.array(z.object({ listingId: z.string(), quantity: z.number().int(), unitPrice: z.number().int() })),
        shippingAddress: z.record(z.string(), z.string()).nullable(),
        createdAt: Timestamp,
      }),
    ),
    reviews: z.array(z.object({ orderId: z.string(), subjectId: z.string(), rating: z.number().int(), comment: z.string().nullable(), createdAt: Timestamp })),
    pollAnswers: z
      .array(z.object({ pollId: z.string(), deliveryId: z.string(), subjectId: z.string(), score: z.number().int(), comment: z.string().nullable(), answeredAt: Timestamp }))
      .openapi({ description: 'The caller’s answers to feedback polls' }),
    phone: z.object({ phone: z.string().nullable(), verifiedAt: Timestamp.nullable(), pendingPhone: z.string().nullable() }).nullable(),
    pushSubscriptions: z.array(z.object({ id: z.string(), endpoint: z.string(), createdAt: Timestamp })),
    verification: z
      .object({
        status: z.enum(['pending', 'verified', 'rejected']),
        provider: z.string(),
        sessionId: z.string().nullable().openapi({ description: 'The identity provider’s session (`vs_…`)' }),
        createdAt: Timestamp,
        updatedAt: Timestamp,
        verifiedAt: Timestamp.nullable(),
      })
      .nullable()
      .openapi({ description: 'Seller identity verification, if ever started' }),
    notifications: z.object({
      preferences: z.record(z.string(), z.unknown()).nullable(),
      inbox: z.array(z.object({ id: z.string(), type: z.string(), title: z.string(), body: z.string(), createdAt: Timestamp, readAt: Timestamp.nullable() })),
      sends: z.array(z.object({ notificationId: z.string(), channel: z.string(), address: z.string(), outcome: z.enum(['sent', 'refused', 'gone']), at: Timestamp })),
    }),
  })
  .openapi('PersonalDataExport', {
    example: {
      exportedAt: '2026-03-20T08:00:00.000Z',
      user: { id: exampleIds.buyer, email: exampleIds.buyerEmail, displayName: 'Ada', role: 'user', createdAt: '2026-03-14T09:26:53.000Z', frozenAt: null, updatedAt: '2026-03-14T09:26:53.000Z' },
      sessions: [{ id: exampleIds.session, createdAt: '2026-03-14T09:26:53.000Z', expiresAt: '2026-04-13T09:26:53.000Z', revokedAt: null }],
      apiKeys: [{ id: exampleIds.apiKey, name: 'inventory sync', prefix: 'sk_…aZ9q', scopes: ['account:read', 'orders:read'], createdAt: '2026-03-15T11:00:00.000Z', lastUsedAt: null, revokedAt: null }],
      orders: [
        {
          id: exampleIds.order,
          sellerId: exampleIds.seller,
          status: 'paid',
          currency: 'EUR',
          total: 4500,
          items: [{ listingId: exampleIds.listing, quantity: 1, unitPrice: 4500 }],
          shippingAddress: { name: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
          createdAt: '2026-03-16T10:04:00.000Z',
        },
      ],
      reviews: [],
      pollAnswers: [],
      phone: { phone: '+33612345678', verifiedAt: '2026-03-14T09:40:00.000Z', pendingPhone: null },
      pushSubscriptions: [],
      verification: null,
      notifications: {
        preferences: { events: { 'bid.outbid': { email: false } } },
        inbox: [{ id: 'ntf_01m88jqb4b6d8f0h2k4m6p8r0t', type: 'order.paid', title: 'Payment received', body: `Your payment of €45.00 for order ${exampleIds.order} went through.`, createdAt: '2026-03-16T10:04:02.000Z', readAt: null }],
        sends: [{ notificationId: 'ntf_01m88jqb4b6d8f0h2k4m6p8r0t', channel: 'email', address: exampleIds.buyerEmail, outcome: 'sent', at: '2026-03-16T10:04:03.000Z' }],
      },
    },
  })

/** A person's credentials as the export shows them: never a hash. */
export function credentialExport(all: StoredCredential[]): Pick<z.infer<typeof PersonalDataExport>, 'sessions' | 'apiKeys'> {
  const byId = (a: StoredCredential, b: StoredCredential) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  return {
    sessions: all.filter((x) => x.kind === 'session').sort(byId).map((x) => ({ id: x.id, createdAt: x.createdAt, expiresAt: x.expiresAt ?? x.createdAt, revokedAt: x.revokedAt })),
    apiKeys: all
      .filter((x) => x.kind === 'api_key')
      .sort(byId)
      .map((x) => ({ id: x.id, name: x.name ?? '', prefix: x.prefix ?? '', scopes: x.scopes ?? [], createdAt: x.createdAt, lastUsedAt: x.lastUsedAt, revokedAt: x.revokedAt })),
  }
}

/** The user as the API shows it; `email` is the address opened (user-store.ts `emailOf`), never the stored form. */
export function userView(u: Omit<UserRecord, 'email' | 'emailIndex'>, email: string): z.infer<typeof UserSchema> {
  return { id: u.id, email, displayName: u.displayName, role: u.role, frozen: u.frozenAt !== null, createdAt: u.createdAt }
}

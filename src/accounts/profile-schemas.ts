import { z } from '@hono/zod-openapi'
import { pageOf, PageQuery } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { userIdParam } from './account-schemas'

/** Public profiles and the reviews about a user, as anyone may read them. */
const Timestamp = z.string().openapi({ format: 'date-time' })

export const ProfileIdParam = userIdParam(exampleIds.seller)

export const ProfileSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    memberSince: Timestamp.openapi({ description: 'When the account was registered' }),
    verifiedSeller: z.boolean().openapi({ description: 'Whether the user passed seller identity verification (KYC) with the identity provider' }),
    rating: z
      .object({
        average: z.number().nullable().openapi({ description: 'Mean of the ratings others gave (1 to 5, two decimals); null with no reviews' }),
        count: z.number().int(),
      })
      .openapi({ description: 'The reviews others wrote about this user' }),
    feedback: z
      .object({
        average: z.number().nullable().openapi({ description: 'Mean of the scores buyers gave in feedback polls about this user as a seller (0 to 10, two decimals); null with none' }),
        count: z.number().int(),
      })
      .openapi({ description: 'Buyers’ answers to feedback polls about this user as a seller' }),
  })
  .openapi('Profile', { example: { id: exampleIds.seller, displayName: 'Sam', memberSince: '2026-02-02T16:45:00.000Z', verifiedSeller: true, rating: { average: 4.5, count: 2 }, feedback: { average: 8.75, count: 4 } } })

export const PublicReviewSchema = z
  .object({
    author: z.object({ id: z.string(), displayName: z.string() }),
    authorRole: z.enum(['buyer', 'seller']).openapi({ description: 'The author’s side of the order the review is about' }),
    rating: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('PublicReview')

export const PublicReviewPage = pageOf(PublicReviewSchema).openapi('PublicReviewPage', {
  example: {
    data: [{ author: { id: exampleIds.buyer, displayName: 'Ada' }, authorRole: 'buyer', rating: 5, comment: 'Beautiful lamp, carefully packed.', createdAt: '2026-03-21T18:12:00.000Z' }],
    nextCursor: null,
  },
})
export const ReviewsQuery = PageQuery

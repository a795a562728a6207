import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'

/**
 * `Souk-Bookmark`: read-your-writes across D1 read replicas (docs/LISTINGS.md). A route that
 * writes the read model answers the D1 session's bookmark in it; a read that is sent it back opens
 * its session from that bookmark, so whichever replica answers has caught up with the write.
 */
export const BOOKMARK_HEADER = 'Souk-Bookmark'

/**
 * D1 bookmarks have one shape, four dash-separated groups of lower-case hex digits
 * (`00000085-0000024c-00004c6d-8e61117b…`, 8-8-8-32). Anything else is refused (400) rather than
 * handed to D1: a constraint such as `first-primary` is not the client's to choose, and a value
 * D1 cannot parse would fail the read.
 */
export const BookmarkHeader = z
  .string()
  .max(200)
  .regex(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/, 'must be a Souk-Bookmark value a write answered')
  .optional()
  .openapi({ description: 'The `Souk-Bookmark` a write of yours answered: the read sees at least that write, whichever read replica answers' })

/** Sets the response's `Souk-Bookmark`; D1 gives no bookmark before a session's first query. */
export function answerBookmark(c: Context, bookmark: string | null): void {
  if (bookmark) c.header(BOOKMARK_HEADER, bookmark)
}

/** The response header, for a route's OpenAPI `responses`. */
export const BookmarkAnswered = z.object({
  [BOOKMARK_HEADER]: z.string().optional().openapi({ description: 'Send it back as `Souk-Bookmark` on your next reads to see at least this state' }),
})

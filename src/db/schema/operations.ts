import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * What operators keep: the queues' dead letters.
 * Conventions of every table: src/db/schema.ts.
 */

/** What a queue gave up on (its dead-letter queue's messages), kept for operators to read and replay. */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    /** The queue the message was given up on (the dead-letter queue's name without `-dlq`). */
    queue: text('queue').notNull(),
    body: text('body').notNull(),
    attempts: integer('attempts').notNull(),
    receivedAt: text('received_at').notNull(),
    replayedAt: text('replayed_at'),
  },
  (t) => [index('dead_letters_queue_idx').on(t.queue, t.id)],
)

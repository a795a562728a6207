import { utf8 } from '../core/bytes'
import { derivedId } from '../core/ids'
import type { Logger } from '../core/logger'
import type { SoukEvent } from '../events/contract/souk-event'
import { recordNotices, type NoticeRecord } from '../notifications/notification-store'
import { pushLive, type LiveMessage } from '../notifications/user-live-client'
import { newId, systemClock } from '../platform/runtime'
import { pollTarget, questionFor } from './poll-audience'
import { activePollsFor, displayNames, recordDeliveries, type Delivery, type Poll } from './poll-store'

/** The notice type of a poll in the inbox. */
export const POLL_NOTICE_TYPE = 'poll'

/**
 * The `polls` consumer (docs/NOTIFICATIONS.md "Feedback polls"): each order event puts every
 * active poll it triggers to that poll's audience (the order's buyer or seller), about the other
 * party. Per batch: one read of the polls the batch's types trigger, one of the people's names,
 * one D1 batch of deliveries, one of inbox notices, one live push per person.
 *
 * Applied once however often an event comes: a delivery's id is derived from (poll, person,
 * order), so a redelivered event (or a second event of that order and type) finds it written; its
 * inbox notice is keyed by the delivery (the notices' unique (event, person, type)), and only a
 * notice recorded now is pushed as a `poll` frame and a `notification` frame on the person's live
 * channel. A run that stopped between the two writes is completed by the redelivery.
 */
export async function deliverPolls(events: SoukEvent[], env: Env, log: Logger): Promise<void> {
  const orderEvents = events.flatMap((e) => (e.aggregate === 'order' ? [e] : []))
  const polls = await activePollsFor(env.DB, [...new Set(orderEvents.map((e) => e.event.type))])
  if (polls.length === 0) return
  const now = systemClock()
  const wanted = await Promise.all(
    orderEvents.flatMap((e) =>
      polls
        .filter((p) => p.trigger === e.event.type)
        .flatMap((poll) => {
          const target = pollTarget(poll.audience, e.event.data)
          return target ? [deliveryOf(poll, target, e.event.data.orderId, e.envelope.id, now)] : []
        }),
    ),
  )
  if (wanted.length === 0) return
  const names = await displayNames(env.DB, wanted.flatMap((w) => [w.delivery.userId, w.delivery.subjectId]))
  // Nobody to ask who erased their account; a subject who did is "someone".
  const deliveries = wanted.filter((w) => names.has(w.delivery.userId))
  await recordDeliveries(env.DB, deliveries.map((w) => w.delivery))
  const notices: NoticeRecord[] = deliveries.map(({ poll, delivery }) => noticeOf(poll, delivery, names.get(delivery.subjectId) ?? 'someone', now))
  const recorded = await recordNotices(env.DB, notices)
  const pushes = notices.flatMap((n, i): { userId: string; message: LiveMessage }[] => {
    if (!recorded[i]) return []
    const { userId, title, body, data, type, category } = n.notice
    return [
      { userId, message: { type: 'poll', data } },
      { userId, message: { type: 'notification', data: { id: n.id, type, category, title, body, data, createdAt: n.at } } },
    ]
  })
  // The delivery and the inbox are the record (GET /v1/me/polls); a push that fails is logged, not retried.
  const failed = await pushLive(env, pushes)
  if (failed.length > 0) log.warn('poll_push_failed', { people: failed.length })
}

type Wanted = { poll: Poll; delivery: Delivery }

async function deliveryOf(poll: Poll, target: { userId: string; subjectId: string }, orderId: string, eventId: string, now: Date): Promise<Wanted> {
  const digest = await crypto.subtle.digest('SHA-256', utf8(`souk/poll-delivery\u0000${poll.id}\u0000${target.userId}\u0000${orderId}`))
  return { poll, delivery: { id: derivedId('pdv', new Uint8Array(digest)), pollId: poll.id, ...target, orderId, eventId, deliveredAt: now.toISOString() } }
}

/** The inbox notice of a delivery: the question as its reader reads it, linking to the poll. In-app only. */
function noticeOf(poll: Poll, d: Delivery, subjectName: string, now: Date): NoticeRecord {
  const question = questionFor(poll.question, subjectName)
  const data = { pollId: poll.id, deliveryId: d.id, orderId: d.orderId, question, subject: { id: d.subjectId, displayName: subjectName }, deliveredAt: d.deliveredAt, answerPath: `/v1/polls/${poll.id}/answers` }
  return {
    id: newId('ntf', now),
    eventId: d.id,
    eventAt: now.toISOString(),
    notice: { userId: d.userId, type: POLL_NOTICE_TYPE, category: 'activity', title: question, body: 'Answer with a score from 0 to 10; it takes a second.', data, throttleKey: null },
    inApp: true,
    at: now.toISOString(),
    silencing: { after: now.toISOString(), before: now.toISOString() },
    dispatches: [],
  }
}

import { orderEventTypes, type OrderEventData } from '../events/contract/order-events'

/**
 * Whom a poll asks about what (docs/NOTIFICATIONS.md "Feedback polls"). A poll's trigger is an
 * event type that has a buyer and a seller: an order's (`order.completed`, `order.delivered`, …).
 * Its audience is one side of the order; the question is about the other side, its subject. Pure.
 */

export const pollAudiences = ['buyer', 'seller'] as const
export type PollAudience = (typeof pollAudiences)[number]

/** The event types a poll may be triggered by: every order event names both parties. */
export const pollTriggers: readonly string[] = orderEventTypes

export const isPollTrigger = (type: string): boolean => pollTriggers.includes(type)

/** Who is asked (`userId`) and about whom (`subjectId`), for an order event's parties. */
export function pollTarget(audience: PollAudience, order: Pick<OrderEventData, 'buyerId' | 'sellerId'>): { userId: string; subjectId: string } | undefined {
  if (order.buyerId === order.sellerId) return undefined // nobody to ask about anybody
  return audience === 'buyer' ? { userId: order.buyerId, subjectId: order.sellerId } : { userId: order.sellerId, subjectId: order.buyerId }
}

/** The placeholder a question may hold for the subject's display name. */
export const SUBJECT_PLACEHOLDER = '{subject}'

/** The question as its audience reads it: each `{subject}` is the other party's display name. */
export const questionFor = (question: string, subjectName: string): string => question.split(SUBJECT_PLACEHOLDER).join(subjectName)

/** Whether answers to a poll rate the seller (buyers about the seller they bought from). */
export const ratesSeller = (audience: PollAudience): boolean => audience === 'buyer'

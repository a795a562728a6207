/**
 * The /me page's answer to a feedback poll → the body of `POST /v1/polls/{id}/answers`: `score`
 * 0–10, an optional comment, and the delivery (which order) it answers when the form names one.
 */
export type PollAnswer = { score: number; comment?: string; deliveryId?: string }

export function pollAnswerOf(fields: Record<string, unknown>): { ok: true; body: PollAnswer } | { ok: false; error: string } {
  const raw = typeof fields.score === 'string' ? fields.score.trim() : ''
  const score = Number(raw)
  if (raw === '' || !Number.isInteger(score) || score < 0 || score > 10) return { ok: false, error: 'Score: choose a number from 0 to 10' }
  const comment = typeof fields.comment === 'string' ? fields.comment.trim() : ''
  const deliveryId = typeof fields.deliveryId === 'string' ? fields.deliveryId.trim() : ''
  return { ok: true, body: { score, ...(comment === '' ? {} : { comment }), ...(deliveryId === '' ? {} : { deliveryId }) } }
}

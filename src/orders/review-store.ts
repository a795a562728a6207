export type Review = { orderId: string; authorId: string; subjectId: string; rating: number; comment: string | null; createdAt: string }

/** One review per (order, author): false when this author already reviewed the order. */
export async function addReview(d1: D1Database, r: Review): Promise<boolean> {
  const result = await d1
    .prepare('INSERT OR IGNORE INTO reviews (order_id, author_id, subject_id, rating, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .bind(r.orderId, r.authorId, r.subjectId, r.rating, r.comment, r.createdAt)
    .run()
  return result.meta.changes === 1
}

import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'

/**
 * `INSERT INTO table SELECT … WHERE guard ON CONFLICT DO NOTHING`: a row that is written only if
 * `guard` holds when its batch runs, and at most once (its unique keys ignore a repeat). What
 * goes with a conditional move (its history, payment, ledger lines) is written this way in the
 * move's batch, so a move that lost its race writes nothing. Values are mapped by the schema's
 * columns as drizzle's own inserts do; a column not given gets its default, or NULL.
 * (Drizzle's D1 batch cannot take `db.run(sql)` with parameters, so this is an insert builder.)
 */
export function insertWhere<T extends SQLiteTable>(db: Db, table: T, row: Partial<T['$inferInsert']>, guard: SQL) {
  const given = row as Record<string, unknown>
  const values = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const fallback: unknown = typeof column.default === 'function' ? undefined : column.default
    const value = given[key] ?? fallback
    return value === undefined || value === null ? sql`NULL` : sql`${column.mapToDriverValue(value)}`
  })
  return db
    .insert(table)
    .select(sql`SELECT ${sql.join(values, sql`, `)} WHERE ${guard}`)
    .onConflictDoNothing()
}

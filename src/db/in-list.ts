import { sql, type AnyColumn, type SQL } from 'drizzle-orm'

/**
 * `column IN (…)` with the values as one JSON parameter: D1 binds at most 100 parameters per
 * statement, and a page or a queue batch can hold that many ids on its own.
 */
export const inList = (column: AnyColumn, values: readonly string[]): SQL => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`

/** Comments and whitespace SQLite skips before the first keyword. */
const leading = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/
const writeKeyword = /^(?:insert|update|delete|replace)\b/i
/** After a leading `WITH …`, the statement writes if one of these starts its main clause. */
const writeClause = /\b(?:(?:insert\s+(?:or\s+\w+\s+)?|replace\s+)into|delete\s+from|update\s+(?:or\s+\w+\s+)?[\w"`[][^;]*?\bset)\b/i

/**
 * Whether a SQL statement writes: it starts with INSERT, UPDATE, DELETE or REPLACE once leading
 * comments and whitespace are skipped, or it is a `WITH …` whose main clause is one of those.
 * Reads, DDL and transaction control count as not writing.
 *
 * @example
 * writesData('-- the order\n  INSERT INTO orders …') // true
 * writesData('select * from orders')                 // false
 */
export function writesData(sql: string): boolean {
  const body = sql.replace(leading, '')
  if (writeKeyword.test(body)) return true
  return /^with\b/i.test(body) && writeClause.test(body)
}

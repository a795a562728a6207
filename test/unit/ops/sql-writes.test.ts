import { describe, expect, it } from 'vitest'
import { writesData } from '../../../src/ops/sql-writes'

describe('writesData', () => {
  it.each([
    'INSERT INTO orders (id) VALUES (?)',
    'insert or ignore into processed_events (consumer, event_id) values (?, ?)',
    'update "orders" set "status" = ? where "id" = ?',
    'DELETE FROM sessions WHERE expires_at < ?',
    'REPLACE INTO kv (k, v) VALUES (?, ?)',
    '  \n\t-- the guard\n  /* several\n lines */ UPDATE orders SET version = version + 1',
    'WITH due AS (SELECT id FROM jobs WHERE at < ?) DELETE FROM jobs WHERE id IN (SELECT id FROM due)',
    'WITH t AS (SELECT 1)\nUPDATE orders\nSET status = ?',
  ])('counts %j as a write', (sql) => {
    expect(writesData(sql)).toBe(true)
  })

  it.each([
    'SELECT * FROM orders WHERE id = ?',
    '-- INSERT INTO orders\nSELECT 1',
    '/* DELETE FROM x */ select count(*) from users',
    'select "deleted_at", "last_update" from users',
    'WITH t AS (SELECT id FROM orders) SELECT id FROM t WHERE status = \'updated\'',
    'CREATE TABLE t (x INTEGER)',
    'PRAGMA table_info(orders)',
    '',
  ])('counts %j as not writing', (sql) => {
    expect(writesData(sql)).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { formatId } from '../../../src/core/ids'
import { judgeBid } from '../../../src/risk/bid-risk'
import type { RiskRule } from '../../../src/risk/risk-rules'

const T0 = Date.parse('2026-06-01T00:00:00Z')
const bidder = formatId('usr', T0 - 40 * 86_400_000, new Uint8Array(10))
const rule = (id: string, verdict: RiskRule['verdict'], signal: 'shares_device_with_seller' | 'shares_ip_with_seller'): RiskRule => ({ id, action: 'bid', verdict, all: [{ signal, op: 'eq', value: true }], any: [], reason: id, enabled: true })
const rules = [rule('same_device', 'block', 'shares_device_with_seller'), rule('same_address', 'review', 'shares_ip_with_seller')]
const seller = { ip: 'ip:s', device: 'device:s' }
const judge = (origin: { ip: string | null; device: string | null }, r: RiskRule[] = rules) => judgeBid({ origin, rules: r }, { bidderId: bidder, amount: 1500 }, seller, T0)

describe('judgeBid', () => {
  it('refuses a bid a block rule matches, with its reasons', () => {
    expect(judge({ ip: 'ip:x', device: 'device:s' })).toEqual({ kind: 'refused', reasons: ['same_device: same_device'] })
  })

  it('lets a reviewed bid stand, flagged; and a challenged one too (a bid has no step-up)', () => {
    expect(judge({ ip: 'ip:s', device: 'device:x' })).toEqual({ kind: 'placed', flagged: ['same_address: same_address'] })
    expect(judge({ ip: 'ip:s', device: null }, [rule('ask', 'challenge', 'shares_ip_with_seller')])).toEqual({ kind: 'placed', flagged: ['ask: ask'] })
  })

  it('places a stranger’s bid, and any bid when there are no bid rules or no risk at all', () => {
    expect(judge({ ip: 'ip:x', device: 'device:x' })).toEqual({ kind: 'placed', flagged: [] })
    expect(judge({ ip: 'ip:s', device: 'device:s' }, [])).toEqual({ kind: 'placed', flagged: [] })
    expect(judgeBid(undefined, { bidderId: bidder, amount: 1 }, seller, T0)).toEqual({ kind: 'placed', flagged: [] })
  })
})

/**
 * eBay's US bid increments: how much a new bid must exceed the current price, by price band.
 * In minor units; applied to every two-decimal currency Souk trades in, as eBay's other sites
 * use the same bands in their own currency.
 */
const bands: [upTo: number, increment: number][] = [
  [99, 5],
  [499, 25],
  [2_499, 50],
  [9_999, 100],
  [24_999, 250],
  [49_999, 500],
  [99_999, 1_000],
  [249_999, 2_500],
  [499_999, 5_000],
]
const TOP_INCREMENT = 10_000

export function bidIncrement(price: number): number {
  for (const [upTo, increment] of bands) if (price <= upTo) return increment
  return TOP_INCREMENT
}

/**
 * The ids the OpenAPI examples use: one per kind of thing, the same wherever that thing appears,
 * so the examples tell one story (Ada buys Sam's brass oil lamp, bids on his print) and a test can
 * swap each for the id of a real thing of that kind (test/e2e/openapi-example-requests.e2e.test.ts).
 */
export const exampleIds = {
  /** Ada, who buys. */
  buyer: 'usr_01jd3v6w2k8m4n5p6q7r8s9t0v',
  buyerEmail: 'ada@example.com',
  /** Sam, who sells. */
  seller: 'usr_01jd3t9a7bx2c5e8g4h6k1m3np',
  /** Staff, who freeze accounts, decide disputes and run rebuilds. */
  admin: 'usr_01jd2m4p6r8t0v2x4z6b8d0f2h',
  /** Sam's brass oil lamp: fixed price, EUR, takes offers. */
  listing: 'lst_01jd3v6w2k8m4n5p6q7r8s9t0v',
  /** Sam's signed print: an auction in USD. */
  auction: 'lst_01jd4c7r2m9x5b8n3q6t1w4y7z',
  bid: 'bid_01jd4a2b3c4d5e6f7g8h9j0k1m',
  /** A photo of the lamp. */
  image: 'img_01jd3w1x2y3z4a5b6c7d8e9f0g',
  offer: 'ofr_01jd3v6w2k8m4n5p6q7r8s9t0v',
  /** Ada's order of the lamp. */
  order: 'ord_01m88jqa3nf9ty2gs0k5w3yncb',
  /** The lamp's shipment with UPS. */
  trackingNumber: '1Z999AA10123456784',
  session: 'ses_01jd3v6w2k8m4n5p6q7r8s9t0v',
  apiKey: 'key_01jd3v6w2k8m4n5p6q7r8s9t0v',
  webhookEndpoint: 'whe_01jd6f2h4k6m8p0r2t4v6x8z0b',
  webhookDelivery: 'msg_01jd6g3j5m7p9r1t3v5x7z9b1d',
  notification: 'ntf_01m88jqb5c7e9g1j3m5p7r9t1v',
  pushSubscription: 'psh_01jd7h4k6m8p0r2t4v6x8z0b2d',
  payout: 'pyo_01m9a2b4d6f8h0k2m4p6r8t0v2',
  readModelRebuild: 'job_01m9b3c5e7g9j1m3p5r7t9v1x3',
  /** The risk engine held Ada's order of the lamp for review. */
  riskReview: 'rsk_01m9c4d6f8h0k2m4p6r8t0v2x4',
  /** Staff ask buyers how buying from the seller went; the poll reached Ada after her order of the lamp. */
  poll: 'pol_01m9d5e7g9j1m3p5r7t9v1x3z5',
  pollDelivery: 'pdv_01m9d6f8h0k2m4p6r8t0v2x4z6',
  /** The queue's own message id: not one of Souk's. */
  deadLetter: '5f0c1e2d3b4a49687766554433221100',
} as const

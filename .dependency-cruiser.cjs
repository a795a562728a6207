/* global module */
/**
 * Import rules for src/ (run by `npm run lint`): no cycles, and the order side's layers point one
 * way (see docs/ARCHITECTURE.md, "Layers"). Type-only imports count: a type is a dependency too.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Imports run one way; a cycle means two modules are one idea, or one reaches into the other’s wiring.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-stays-pure',
      severity: 'error',
      comment: 'src/core is the shared pure kernel: it imports nothing outside itself.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'listings-know-nothing-of-orders',
      severity: 'error',
      comment: 'The listing side learns an order’s fate through a port it declares (wired in src/index.ts), never through the order side’s modules.',
      from: { path: '^src/listings/' },
      to: { path: '^src/(orders|checkout|payments|ledger|jobs|webhooks)/' },
    },
    {
      name: 'money-below-orders',
      severity: 'error',
      comment: 'Payments, the ledger and payouts are below the orders that use them.',
      from: { path: '^src/(payments|ledger|payouts)/' },
      to: { path: '^src/(orders|checkout|jobs|webhooks)/' },
    },
    {
      name: 'orders-below-checkout',
      severity: 'error',
      comment: 'Checkout composes the order side; the order side never calls back into checkout.',
      from: { path: '^src/orders/' },
      to: { path: '^src/(checkout|jobs|webhooks)/' },
    },
    {
      name: 'consumers-on-their-own',
      severity: 'error',
      comment: 'A queue consumer never imports another: each is delivered, retried and dead-lettered on its own, and shared help lives in a module that is no consumer.',
      from: { path: '-consumer\\.ts$' },
      to: { path: '-consumer\\.ts$' },
    },
    {
      name: 'event-contract-stands-alone',
      severity: 'error',
      comment: 'The event contract is imported by producers and consumers alike; it imports none of them.',
      from: { path: '^src/events/contract/' },
      to: { path: '-consumer\\.ts$|^src/(checkout|jobs|webhooks|webhook-endpoints|notifications)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.wrangler)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
}

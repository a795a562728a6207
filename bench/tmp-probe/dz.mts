import { drizzle } from 'drizzle-orm/d1'
import * as schema from '../../src/db/schema'
const fake = { prepare() {}, batch() {} } as any
for (let r = 0; r < 3; r++) { const t = performance.now(); for (let i = 0; i < 10000; i++) drizzle(fake, { schema }); console.log('with schema', ((performance.now() - t) / 10).toFixed(1), 'µs each') }
const t = performance.now(); for (let i = 0; i < 10000; i++) drizzle(fake); console.log('no schema', ((performance.now() - t) / 10).toFixed(1), 'µs each')

import { hashPassword, SALT_BYTES } from '../src/accounts/password.ts'
import { formatId, idRandomBytes } from '../src/core/ids.ts'
import type { PersonalData } from '../src/pii/pii-adapters.ts'

/**
 * Local demo data, for `npm start` only (production seeds nothing). Idempotent: a second run
 * leaves existing accounts alone (found by their e-mail's blind index, or, in a database from
 * before e-mail was sealed, by the address itself). E-mail is sealed with the development keys. The staff account is the one the README's demo accounts table names.
 */
export const demoAccounts = [
  { email: 'admin@souk.test', password: 'souk-admin-dev-only', displayName: 'Souk Admin', role: 'admin' },
  { email: 'support@souk.test', password: 'souk-support-dev-only', displayName: 'Souk Support', role: 'support' },
  { email: 'alice@souk.test', password: 'souk-demo-password', displayName: 'Alice (seller)', role: 'user' },
  { email: 'bob@souk.test', password: 'souk-demo-password', displayName: 'Bob (buyer)', role: 'user' },
] as const

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`

export async function seedSql(pd: PersonalData, now = new Date()): Promise<string> {
  const at = now.toISOString()
  const rows = await Promise.all(
    demoAccounts.map(async (a) => {
      const id = formatId('usr', now.getTime(), crypto.getRandomValues(new Uint8Array(idRandomBytes)))
      const hash = await hashPassword(a.password, crypto.getRandomValues(new Uint8Array(SALT_BYTES)))
      const [email, index] = await Promise.all([pd.seal('users.email', id, a.email), pd.emailIndex(a.email)])
      const values = [id, email, index, a.displayName, hash, a.role, at, at].map(quote).join(', ')
      return `INSERT INTO users (id, email, email_index, display_name, password_hash, role, created_at, updated_at)
SELECT ${values} WHERE NOT EXISTS (SELECT 1 FROM users WHERE email_index = ${quote(index)} OR email = ${quote(a.email)})
ON CONFLICT DO NOTHING;`
    }),
  )
  return `${rows.join('\n')}\n`
}

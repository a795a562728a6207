import type { FC } from 'hono/jsx'
import { AdminLayout } from './admin/admin-layout'
import { LoginFields } from './login-fields'

export type LoginForm = {
  action: string
  next: string
  email?: string
  /** What went wrong with the last try, in words for a person. */
  error?: string
  /** The account has a second factor and the last try came without a (valid) code. */
  codeRequired?: boolean
  /** The form token, when a session cookie is already there (someone signing in as another person). */
  csrf?: string
}

/**
 * E-mail and password, and the code of an authenticator app (or a recovery code) for accounts
 * with a second factor. The field is always there, so a person with TOTP signs in in one try;
 * after `mfa_required` it is marked as needed.
 */
export const LoginPage: FC<LoginForm> = ({ action, next, email, error, codeRequired, csrf }) => (
  <AdminLayout title="Sign in">
    {error && (
      <p class="flash error" role="alert">
        {error}
      </p>
    )}
    <form method="post" action={action} class="login">
      {csrf && <input type="hidden" name="csrf" value={csrf} />}
      <LoginFields next={next} email={email} codeRequired={codeRequired} />
      <button type="submit">Sign in</button>
    </form>
  </AdminLayout>
)

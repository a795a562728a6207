import type { FC } from 'hono/jsx'
import type { PageFrame } from '../admin/admin-layout'
import { Csrf, SiteLayout } from './site-layout'
import { LoginFields } from '../login-fields'

type FormState = PageFrame & {
  next: string
  email?: string
  /** What went wrong with the last try, in words for a person. */
  error?: string
}

const Problem: FC<{ error?: string }> = ({ error }) =>
  error ? (
    <p class="flash error" role="alert">
      {error}
    </p>
  ) : null

const nextQuery = (next: string) => (next === '/' ? '' : `?next=${encodeURIComponent(next)}`)

/**
 * Log in: e-mail, password, and the code of an authenticator app (or a recovery code) for
 * accounts with a second factor. The code field is always there, so a person with TOTP signs in
 * in one try; after `mfa_required` it is marked as needed.
 */
export const SiteLoginPage: FC<FormState & { codeRequired?: boolean }> = ({ next, email, error, codeRequired, ...frame }) => (
  <SiteLayout title="Log in" {...frame}>
    <Problem error={error} />
    <form method="post" action="/login" class="stack">
      <Csrf token={frame.csrf} />
      <LoginFields next={next} email={email} codeRequired={codeRequired} />
      <button type="submit">Log in</button>
    </form>
    <p>
      New here? <a href={`/register${nextQuery(next)}`}>Create an account</a>
    </p>
  </SiteLayout>
)

/** Register: e-mail, a display name others see, a password (at least as long as the API asks). */
export const RegisterPage: FC<FormState & { displayName?: string }> = ({ next, email, displayName, error, ...frame }) => (
  <SiteLayout title="Create an account" {...frame}>
    <Problem error={error} />
    <form method="post" action="/register" class="stack">
      <Csrf token={frame.csrf} />
      <input type="hidden" name="next" value={next} />
      <label>
        E-mail
        <input type="email" name="email" autocomplete="email" required value={email ?? ''} />
      </label>
      <label>
        Display name (shown to others)
        <input type="text" name="displayName" autocomplete="nickname" required maxlength={64} value={displayName ?? ''} />
      </label>
      <label>
        Password (at least 10 characters)
        <input type="password" name="password" autocomplete="new-password" required minlength={10} />
      </label>
      <button type="submit">Create account</button>
    </form>
    <p>
      Already have an account? <a href={`/login${nextQuery(next)}`}>Log in</a>
    </p>
  </SiteLayout>
)

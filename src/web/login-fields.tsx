import type { FC } from 'hono/jsx'

/**
 * The fields of a login form, the same for the console and the site: where to go next, e-mail,
 * password, and the authenticator (or recovery) code, always there so a person with TOTP signs
 * in in one try, and marked as needed after `mfa_required`.
 */
export const LoginFields: FC<{ next: string; email?: string | undefined; codeRequired?: boolean | undefined }> = ({ next, email, codeRequired }) => (
  <>
    <input type="hidden" name="next" value={next} />
    <label>
      E-mail
      <input type="email" name="email" autocomplete="username" required value={email ?? ''} />
    </label>
    <label>
      Password
      <input type="password" name="password" autocomplete="current-password" required />
    </label>
    <label>
      {codeRequired ? 'Authenticator code (required for this account)' : 'Authenticator code, if your account has one'}
      <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength={11} required={codeRequired} aria-invalid={codeRequired ? 'true' : undefined} />
    </label>
  </>
)

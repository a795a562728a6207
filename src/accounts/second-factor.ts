/**
 * The second factor a user may turn on (TOTP, with recovery codes), as login and step-up see it.
 * The user's account object keeps it and decides each code (accounts/totp.ts): one call each.
 */
export interface SecondFactor {
  /** True when the user has a second factor that sensitive requests must present. */
  enrolled(userId: string): Promise<boolean>
  /** True when `code` is a current, unused code of the user's factor (false when they have none). */
  verify(userId: string, code: string): Promise<boolean>
  /** True, once, for one of the user's unused recovery codes: login's way in without the authenticator. */
  recover(userId: string, recoveryCode: string): Promise<boolean>
}

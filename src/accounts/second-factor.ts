/**
 * The second factor a user may turn on, as the step-up check sees it. TOTP (RFC 6238) plugs in
 * here; until a user can enrol, nobody is enrolled and step-up lets every request through.
 */
export interface SecondFactor {
  /** True when the user has a second factor that sensitive requests must present. */
  enrolled(userId: string): Promise<boolean>
  /** True when `code` is a current, unused code of the user's factor. */
  verify(userId: string, code: string): Promise<boolean>
}

export const noSecondFactor: SecondFactor = {
  enrolled: () => Promise.resolve(false),
  verify: () => Promise.resolve(false),
}

/** The one place that picks the second factor; login and step-up both ask it. */
export const secondFactorFor = (_env: Env): SecondFactor => noSecondFactor

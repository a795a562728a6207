import { TracedObject } from '../platform/traced-object'
import { consume, refund, type GcraState, type RateLimitVerdict } from '../rate-limits/gcra'
import type { RateLimitClass, RateLimitPolicy } from '../rate-limits/rate-limit-policy'
import { admitToHistory, type BuyerHistory, type BuyerSignals } from '../risk/buyer-history'
import { noteVerdict, type NotedDecision, type NotedVerdicts, type PriorVerdict } from '../risk/sticky-verdict'
import { isForgettable, isLastUseStale, issueRefusal, liveApiKeys, vouch, type IssueRefusal, type Standing, type StoredCredential } from './account-credentials'
import type { Principal } from './principal'
import { checkCode, pendingTotp, type CodeCheck, type TotpState } from './totp'
import { settingsOf } from '../config'
import { personalDataOf, type PersonalData } from '../pii/pii-adapters'

/** Why a code was refused. */
export type CodeRefusal = Extract<CodeCheck, { ok: false }>['reason']

/** A quota to spend while authenticating, so a request makes one round trip for both. */
export type QuotaRequest = { cls: RateLimitClass; policy: RateLimitPolicy; units: number }

export type Authentication =
  | { ok: true; principal: Principal; credentialExpiresAt: string | null; quota?: RateLimitVerdict }
  | { ok: false }

const STANDING = 'standing'
const STANDING_SEQ = 'standing_seq'
/** What the risk engine remembers of the buyer (risk/buyer-history.ts). */
const BUYER_HISTORY = 'risk:buyer'
/** Verdicts other than allow of recent checkouts, by order id (risk/sticky-verdict.ts). */
const NOTED_VERDICTS = 'risk:verdicts'
const credentialKey = (tokenHash: string) => `cred:${tokenHash}`
const idKey = (id: string) => `credid:${id}`
const quotaKey = (cls: string) => `quota:${cls}`
const TOTP_KEY = 'mfa:totp'

/**
 * The authority on one user's credentials and standing (ARCHITECTURE.md "The laws"): which session
 * tokens and API keys are live, whether the account is frozen or erased, and the counters that
 * belong to the user (rate quotas, checkout velocity). It spreads with users, so authenticating
 * never waits on D1's single primary; its input gate makes every check and change serial and
 * exact. D1's `users` row stays the record of who the user is; every writer of standing (register,
 * login, freeze, erasure) pushes it here. Storage is the synchronous KV of a SQLite-backed object.
 */
export class AccountObject extends TracedObject {
  /** Tests replace it through `runInDurableObject` to move time. */
  now = (): Date => new Date()

  /**
   * Refreshes the standing from the record (registration, login, staff changes). Answers the
   * account's standing `seq`: how many times it has been frozen or unfrozen, the `seq` of its
   * account events (0 while it never was).
   */
  open(standing: Standing): number {
    const current = this.standing()
    // Erasure is for good: a stale record never brings an account back.
    this.ctx.storage.kv.put(STANDING, { ...standing, erased: standing.erased || (current?.erased ?? false) })
    const seq = this.ctx.storage.kv.get<number>(STANDING_SEQ) ?? 0
    // An account the object has not heard of yet was not frozen.
    if ((current?.frozen ?? false) === standing.frozen) return seq
    // A freeze ends every session and API key: after an unfreeze the user logs in and makes keys anew.
    if (standing.frozen) this.revokeAll()
    this.ctx.storage.kv.put(STANDING_SEQ, seq + 1)
    return seq + 1
  }

  /**
   * Issues a session or an API key, unless the account may not have one now. `standing` comes
   * from the record when the caller just read it (login); otherwise the account's own is used.
   */
  issue(credential: StoredCredential, standing?: Standing): 'issued' | IssueRefusal {
    if (standing) this.open(standing)
    const known = this.standing()
    if (!known) return 'erased'
    const now = this.now()
    const all = this.credentials()
    const refusal = issueRefusal(known, credential.kind, all, now)
    if (refusal) return refusal
    for (const old of all.filter((c) => isForgettable(c, now))) this.forget(old)
    this.ctx.storage.kv.put(credentialKey(credential.tokenHash), credential)
    this.ctx.storage.kv.put(idKey(credential.id), credential.tokenHash)
    return 'issued'
  }

  /** Who a token (by its hash) stands for, spending `quota` of the user's quota on the way. */
  authenticate(tokenHash: string, quota?: QuotaRequest): Authentication {
    const now = this.now()
    const credential = this.ctx.storage.kv.get<StoredCredential>(credentialKey(tokenHash))
    const principal = vouch(this.standing(), credential, now)
    if (!principal || !credential) return { ok: false }
    if (isLastUseStale(credential, now)) this.ctx.storage.kv.put(credentialKey(tokenHash), { ...credential, lastUsedAt: now.toISOString() })
    return { ok: true, principal, credentialExpiresAt: credential.expiresAt, ...(quota ? { quota: this.consume(quota.cls, quota.policy, quota.units) } : {}) }
  }

  /** Whether one of this user's credentials (by id) still stands: issued, not revoked, not expired, the account not erased. */
  stands(credentialId: string): boolean {
    return vouch(this.standing(), this.credentialById(credentialId), this.now()) !== undefined
  }

  /** Ends one of this user's credentials at once; false when it was not live (or not theirs). */
  revoke(credentialId: string, kind?: StoredCredential['kind']): boolean {
    const credential = this.credentialById(credentialId)
    if (!credential || credential.revokedAt !== null || (kind && credential.kind !== kind)) return false
    if (credential.expiresAt !== null && Date.parse(credential.expiresAt) <= this.now().getTime()) return false
    this.ctx.storage.kv.put(credentialKey(credential.tokenHash), { ...credential, revokedAt: this.now().toISOString() })
    return true
  }

  /** The live API keys, newest first, `limit + 1` of them after the id `after`. */
  apiKeys(limit: number, after?: string): StoredCredential[] {
    return liveApiKeys(this.credentials(), this.now(), limit, after).map(withoutHash)
  }

  /** Every credential still remembered, live or ended, oldest first, without hashes (the personal-data export). */
  credentialHistory(): StoredCredential[] {
    return this.credentials()
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1))
      .map(withoutHash)
  }

  /**
   * Whether the account is frozen now, with its standing `seq` (see `open`): what a new listing of
   * this seller checks once it exists, so one made as the account was being frozen is suspended
   * with the others (seller-listings-adapters.ts). Null for an account the object never heard of.
   */
  frozenStanding(): { frozen: boolean; seq: number } | null {
    const s = this.standing()
    return s ? { frozen: s.frozen, seq: this.ctx.storage.kv.get<number>(STANDING_SEQ) ?? 0 } : null
  }

  setFrozen(frozen: boolean): void {
    const s = this.standing()
    if (s) this.ctx.storage.kv.put(STANDING, { ...s, frozen })
  }

  /** Starts (or restarts) enrolling `secret`, unless TOTP is already on. The secret is kept sealed (docs/SECURITY.md). */
  async startTotp(secret: string): Promise<'started' | 'already_on'> {
    if (this.totp()?.status === 'on') return 'already_on'
    const sealed = await this.personalData().seal('account.totp_secret', this.owner(), secret)
    if (this.totp()?.status === 'on') return 'already_on' // turned on while it was sealed
    this.ctx.storage.kv.put(TOTP_KEY, pendingTotp(sealed))
    return 'started'
  }

  /** Confirms a pending enrolment with its first code; TOTP is on from here, with these recovery codes. */
  async confirmTotp(code: string, recoveryHashes: string[]): Promise<'on' | 'not_started' | CodeRefusal> {
    const opened = await this.openedTotp()
    if (!opened || opened.state.status === 'on') return 'not_started'
    const check = checkCode(opened.state, code, this.now().getTime())
    this.ctx.storage.kv.put(TOTP_KEY, { ...(check.ok ? { ...check.state, status: 'on', recoveryHashes } : check.state), secret: opened.sealed })
    return check.ok ? 'on' : check.reason
  }

  /** True when TOTP is on: login and step-up ask for a code. */
  totpEnabled(): boolean {
    return this.totp()?.status === 'on'
  }

  /** A second factor presented now: a current, unused code, or (`recovery`) one of the unused recovery codes (by hash), spent as it is used. */
  async verifySecondFactor(presented: { code: string } | { recoveryHash: string }): Promise<boolean> {
    if ('recoveryHash' in presented) {
      const state = this.totp()
      if (state?.status !== 'on' || !state.recoveryHashes.includes(presented.recoveryHash)) return false
      this.ctx.storage.kv.put(TOTP_KEY, { ...state, recoveryHashes: state.recoveryHashes.filter((h) => h !== presented.recoveryHash) })
      return true
    }
    const opened = await this.openedTotp()
    if (opened?.state.status !== 'on') return false
    const check = checkCode(opened.state, presented.code, this.now().getTime())
    this.ctx.storage.kv.put(TOTP_KEY, { ...check.state, secret: opened.sealed })
    return check.ok
  }

  disableTotp(): void {
    this.ctx.storage.kv.delete(TOTP_KEY)
  }

  /** Erasure: every credential ends now and none is ever issued again. */
  erase(): void {
    const s = this.standing()
    this.revokeAll({ forgetNames: true })
    if (s) this.ctx.storage.kv.put(STANDING, { ...s, erased: true })
    this.ctx.storage.kv.delete(TOTP_KEY)
  }

  consume(cls: string, policy: RateLimitPolicy, cost = 1): RateLimitVerdict {
    const result = consume(this.ctx.storage.kv.get<GcraState>(quotaKey(cls)), policy, this.now().getTime(), cost)
    this.saveQuota(cls, result.state)
    return result.verdict
  }

  refund(cls: string, policy: RateLimitPolicy, cost = 1): void {
    this.saveQuota(cls, refund(this.ctx.storage.kv.get<GcraState>(quotaKey(cls)), policy, this.now().getTime(), cost))
  }

  reset(cls: string): void {
    this.ctx.storage.kv.delete(quotaKey(cls))
  }

  /**
   * A checkout's admission: confirms the caller's credential (by hash) still stands and the
   * account is not frozen, then counts the checkout (by order id, so a retry counts once) and
   * answers the buyer's own risk signals. The authority check and the signals in one round trip;
   * the rules are judged by the caller, with the other shards' signals.
   */
  admitCheckout(c: { orderId: string; credentialHash: string | null; amount: number; card: string }): CheckoutEntry {
    const refused = this.buyerRefusal(c.credentialHash)
    if (refused) return refused
    const before = this.ctx.storage.kv.get<BuyerHistory>(BUYER_HISTORY) ?? { checkouts: [], amounts: [] }
    const noted = this.ctx.storage.kv.get<NotedVerdicts>(NOTED_VERDICTS)?.[c.orderId]
    const seen = before.checkouts.some((e) => e.id === c.orderId)
    const prior: PriorVerdict = noted ? { kind: 'noted', decision: { verdict: noted.verdict, hits: noted.hits, score: noted.score } } : seen ? { kind: 'allowed' } : { kind: 'none' }
    const { signals, history } = admitToHistory(before, c, this.now().getTime())
    this.ctx.storage.kv.put(BUYER_HISTORY, history)
    return { kind: 'admitted', buyer: signals, hasSecondFactor: this.totpEnabled(), prior }
  }

  /** Remembers a checkout's verdict other than allow, so its retries get the same one (risk/sticky-verdict.ts). */
  noteVerdict(orderId: string, decision: NotedDecision): void {
    this.ctx.storage.kv.put(NOTED_VERDICTS, noteVerdict(this.ctx.storage.kv.get<NotedVerdicts>(NOTED_VERDICTS) ?? {}, orderId, decision, this.now().getTime()))
  }

  /** A buyer paying an order that exists already (a won auction): the credential and the standing only, nothing counted. */
  admitBuyer(credentialHash: string | null): { kind: 'admitted' } | BuyerRefusal {
    return this.buyerRefusal(credentialHash) ?? { kind: 'admitted' }
  }

  /** Why this account may not buy now: the caller's credential (by hash) no longer stands, or the account is frozen or erased. */
  private buyerRefusal(credentialHash: string | null): BuyerRefusal | null {
    const standing = this.standing()
    if (credentialHash !== null) {
      const principal = vouch(standing, this.ctx.storage.kv.get<StoredCredential>(credentialKey(credentialHash)), this.now())
      if (!principal) return { kind: 'refused', code: 'unauthenticated' }
    }
    if (!standing || standing.erased) return { kind: 'refused', code: 'unauthenticated' }
    if (standing.frozen) return { kind: 'refused', code: 'account_frozen' }
    return null
  }

  /** Ends every live credential now (erasure also blanks the keys' names, which are the person's words). */
  private revokeAll(o: { forgetNames?: boolean } = {}): void {
    const at = this.now().toISOString()
    for (const c of this.credentials()) {
      if (c.revokedAt !== null) continue
      this.ctx.storage.kv.put(credentialKey(c.tokenHash), { ...c, revokedAt: at, ...(o.forgetNames && c.name !== null ? { name: '' } : {}) })
    }
  }

  /** A credential by its id (the index written when it was issued). */
  private credentialById(credentialId: string): StoredCredential | undefined {
    const hash = this.ctx.storage.kv.get<string>(idKey(credentialId))
    return hash ? this.ctx.storage.kv.get<StoredCredential>(credentialKey(hash)) : undefined
  }

  /** The TOTP state as kept: its `secret` sealed (or, kept before secrets were sealed, base32 in the clear). */
  private totp(): TotpState | undefined {
    return this.ctx.storage.kv.get<TotpState>(TOTP_KEY)
  }

  /**
   * The TOTP state with its secret opened, read again after the awaits, so what is decided from it
   * and written back is one synchronous step (a code is still accepted once). `sealed` is the
   * secret as it is to be kept: sealed under the current key, so a secret under an older key (or
   * kept in the clear) is sealed anew as it is used.
   */
  private async openedTotp(): Promise<{ state: TotpState; sealed: string } | undefined> {
    const pd = this.personalData()
    for (;;) {
      const before = this.totp()
      if (!before) return undefined
      const secret = await pd.open('account.totp_secret', this.owner(), before.secret)
      const sealed = pd.isCurrent(before.secret) ? before.secret : await pd.seal('account.totp_secret', this.owner(), secret)
      const now = this.totp()
      if (!now) return undefined
      if (now.secret === before.secret) return { state: { ...now, secret }, sealed }
      // Enrolment restarted meanwhile: open the new secret.
    }
  }

  /** Whose account this is: the owner its sealed values are bound to. */
  private owner(): string {
    const s = this.standing()
    if (!s) throw new Error('an account object without a standing holds no second factor')
    return s.userId
  }

  private personalData(): PersonalData {
    return personalDataOf(settingsOf(this.env))
  }

  private standing(): Standing | undefined {
    return this.ctx.storage.kv.get<Standing>(STANDING)
  }

  private credentials(): StoredCredential[] {
    return [...this.ctx.storage.kv.list<StoredCredential>({ prefix: 'cred:' })].map(([, c]) => c)
  }

  private forget(c: StoredCredential): void {
    this.ctx.storage.kv.delete(credentialKey(c.tokenHash))
    this.ctx.storage.kv.delete(idKey(c.id))
  }

  private saveQuota(cls: string, state: GcraState | undefined): void {
    // A quota is a few bytes per class and a user has a handful of classes: no alarm forgets them.
    if (state) this.ctx.storage.kv.put(quotaKey(cls), state)
    else this.ctx.storage.kv.delete(quotaKey(cls))
  }
}

const withoutHash = (c: StoredCredential): StoredCredential => ({ ...c, tokenHash: '' })

/** A checkout's admission by the buyer's account. */
export type BuyerRefusal = { kind: 'refused'; code: 'unauthenticated' | 'account_frozen' }
export type CheckoutEntry = { kind: 'admitted'; buyer: BuyerSignals; hasSecondFactor: boolean; prior: PriorVerdict } | BuyerRefusal

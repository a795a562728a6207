import type { FC } from 'hono/jsx'
import { formatMoney, formatWhen } from './site-format'
import { Csrf } from './site-layout'
import { buyerActions, statusWords } from './order-actions'
import { digestChoices, preferenceChannels, switchName, switchOn } from './preferences-form'
import type { NotificationView, OrderView, PollView, PreferencesView } from './site-types'

/** What /me shows: polls waiting for an answer, the inbox, orders as a buyer, notification settings. */
export type MeData = {
  polls: PollView[] | undefined
  notifications: NotificationView[]
  orders: OrderView[]
  /** Listing titles by id, for the orders' items (an item without one shows its listing's id). */
  titles: ReadonlyMap<string, string>
  preferences: PreferencesView | undefined
  /** The notice types the settings form offers, in order. */
  noticeTypes: readonly string[]
  now: Date
  deliveryWindowMs: number
}

const channelWords: Record<(typeof preferenceChannels)[number], string> = { in_app: 'In app', email: 'E-mail', sms: 'SMS', push: 'Push' }

const Guard: FC<{ csrf?: string; nonce: string }> = ({ csrf, nonce }) => (
  <>
    <Csrf token={csrf} />
    <input type="hidden" name="nonce" value={nonce} />
  </>
)

const Button: FC<{ action: string; csrf?: string; nonce: string; label: string; danger?: boolean }> = ({ action, csrf, nonce, label, danger }) => (
  <form method="post" action={action} class="inline">
    <Guard csrf={csrf} nonce={nonce} />
    <button type="submit" class={danger ? 'danger' : undefined}>
      {label}
    </button>
  </form>
)

/** A poll's answer form: 0 to 10 and a comment. The live script clones the template copy for a poll that arrives while the page is open. */
export const PollForm: FC<{ poll: Pick<PollView, 'pollId' | 'deliveryId' | 'question'>; csrf?: string; nonce: string }> = ({ poll, csrf, nonce }) => (
  <li id={poll.deliveryId} class="poll">
    <form method="post" action={`/me/polls/${poll.pollId}/answer`} class="stack">
      <Guard csrf={csrf} nonce={nonce} />
      <input type="hidden" name="deliveryId" value={poll.deliveryId} />
      <fieldset>
        <legend class="poll-question">{poll.question}</legend>
        <div class="scale" role="radiogroup" aria-label="Score from 0 (not at all) to 10 (very)">
          {Array.from({ length: 11 }, (_, n) => (
            <label>
              <input type="radio" name="score" value={String(n)} required /> {String(n)}
            </label>
          ))}
        </div>
        <label>
          Comment (optional) <textarea name="comment" rows={2} maxlength={2000}></textarea>
        </label>
        <button type="submit">Send answer</button>
      </fieldset>
    </form>
  </li>
)

const PollsSection: FC<{ polls: PollView[] | undefined; csrf?: string; nonce: string }> = ({ polls, csrf, nonce }) => (
  <section aria-labelledby="polls-heading">
    <h2 id="polls-heading">Your feedback, please</h2>
    <ul id="polls" class="polls">
      {(polls ?? []).map((p) => (
        <PollForm poll={p} csrf={csrf} nonce={nonce} />
      ))}
    </ul>
    {(polls ?? []).length === 0 && (
      <p class="empty" id="polls-empty">
        {polls ? 'No questions waiting for you.' : 'Polls cannot be read right now.'}
      </p>
    )}
    <template id="poll-template">
      <PollForm poll={{ pollId: 'pol', deliveryId: 'pdv', question: '' }} csrf={csrf} nonce={nonce} />
    </template>
  </section>
)

const NotificationsSection: FC<{ notifications: NotificationView[]; csrf?: string; nonce: string }> = ({ notifications, csrf, nonce }) => (
  <section aria-labelledby="notifications-heading">
    <h2 id="notifications-heading">Notifications</h2>
    <form id="live-ticket" method="post" action="/me/live-ticket" hidden>
      <Csrf token={csrf} />
    </form>
    <p id="live-status" class="hint" role="status">
      New notifications appear here as they happen (with JavaScript on); reload for the latest otherwise.
    </p>
    <ul id="notifications" class="notifications" aria-live="polite">
      {notifications.map((n) => (
        <li id={n.id} class={n.readAt ? 'read' : 'unread'} data-type={n.type}>
          <strong>{n.title}</strong> <span>{n.body}</span> <time datetime={n.createdAt}>{formatWhen(n.createdAt)}</time>
          {!n.readAt && <Button action={`/me/notifications/${n.id}/read`} csrf={csrf} nonce={nonce} label="Mark read" />}
        </li>
      ))}
    </ul>
    {notifications.length === 0 && (
      <p class="empty" id="notifications-empty">
        Nothing yet.
      </p>
    )}
  </section>
)

const OrderActions: FC<{ order: OrderView; data: MeData; csrf?: string; nonce: string }> = ({ order, data, csrf, nonce }) => {
  const actions = buyerActions(order, data.now, data.deliveryWindowMs)
  const base = `/me/orders/${order.id}`
  return (
    <>
      {actions.includes('accept') && <Button action={`${base}/accept`} csrf={csrf} nonce={nonce} label="Accept (release payment)" />}
      {actions.includes('cancel') && <Button action={`${base}/cancel`} csrf={csrf} nonce={nonce} label="Cancel" danger />}
      {actions.includes('dispute') && (
        <form method="post" action={`${base}/dispute`} class="inline">
          <Guard csrf={csrf} nonce={nonce} />
          <label>
            What went wrong? <input name="reason" required maxlength={2000} size={24} />
          </label>
          <button type="submit" class="danger">
            Open a dispute
          </button>
        </form>
      )}
      {actions.includes('report_not_received') && <Button action={`${base}/not-received`} csrf={csrf} nonce={nonce} label="Report it never arrived" danger />}
      {actions.includes('review') && (
        <form method="post" action={`${base}/review`} class="inline">
          <Guard csrf={csrf} nonce={nonce} />
          <label>
            Rating{' '}
            <select name="rating">
              {[5, 4, 3, 2, 1].map((r) => (
                <option value={String(r)}>{String(r)}</option>
              ))}
            </select>
          </label>
          <label>
            Review <input name="comment" maxlength={2000} size={20} />
          </label>
          <button type="submit">Review the seller</button>
        </form>
      )}
    </>
  )
}

const OrdersSection: FC<{ data: MeData; csrf?: string; nonce: string }> = ({ data, csrf, nonce }) => (
  <section aria-labelledby="orders-heading">
    <h2 id="orders-heading">Your orders</h2>
    {data.orders.length === 0 ? (
      <p class="empty">
        No orders yet. <a href="/">Find something</a>.
      </p>
    ) : (
      <table id="me-orders">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Items</th>
            <th scope="col">Total</th>
            <th scope="col">Status</th>
            <th scope="col">History</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {data.orders.map((o) => (
            <tr id={o.id}>
              <td>
                <code>{o.id}</code>
              </td>
              <td>
                {o.items.map((i) => (
                  <>
                    <a href={`/listings/${i.listingId}`}>{data.titles.get(i.listingId) ?? i.listingId}</a> × {String(i.quantity)}
                    <br />
                  </>
                ))}
              </td>
              <td class="num">{formatMoney(o.total)}</td>
              <td class={`status ${o.status}`} data-status={o.status}>
                {statusWords(o.status)}
              </td>
              <td>
                <ol class="history">
                  {o.history.map((h) => (
                    <li>
                      {statusWords(h.status)} <time datetime={h.at}>{formatWhen(h.at)}</time>
                    </li>
                  ))}
                </ol>
                {o.shipment && (
                  <p>
                    {o.shipment.carrier} {o.shipment.trackingNumber}
                  </p>
                )}
              </td>
              <td class="row-actions">
                <OrderActions order={o} data={data} csrf={csrf} nonce={nonce} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
)

const SettingsSection: FC<{ data: MeData; csrf?: string; nonce: string }> = ({ data, csrf, nonce }) => {
  const prefs = data.preferences ?? { events: {} }
  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">Notification settings</h2>
      {!data.preferences && <p class="empty">Your settings cannot be read right now; saving replaces them.</p>}
      <form method="post" action="/me/settings" class="stack" id="settings-form">
        <Guard csrf={csrf} nonce={nonce} />
        <table id="channels">
          <caption>Which channels carry each kind of notice (security and payment notices ignore quiet hours)</caption>
          <thead>
            <tr>
              <th scope="col">Notice</th>
              {preferenceChannels.map((ch) => (
                <th scope="col">{channelWords[ch]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.noticeTypes.map((type) => (
              <tr>
                <th scope="row">
                  <code>{type}</code>
                </th>
                {preferenceChannels.map((ch) => (
                  <td>
                    <input type="checkbox" name={switchName(type, ch)} aria-label={`${type} by ${channelWords[ch]}`} checked={switchOn(prefs, type, ch)} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <fieldset>
          <legend>Quiet hours (leave empty for none)</legend>
          <label>
            From <input type="time" name="quietStart" value={prefs.quietHours?.start ?? ''} />
          </label>
          <label>
            Until <input type="time" name="quietEnd" value={prefs.quietHours?.end ?? ''} />
          </label>
          <label>
            Time zone <input name="quietTimeZone" value={prefs.quietHours?.timeZone ?? ''} placeholder="Europe/Paris" maxlength={64} />
          </label>
        </fieldset>
        <label>
          Digest{' '}
          <select name="digest">
            {digestChoices.map((d) => (
              <option value={d} selected={(prefs.digest ?? 'off') === d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Save settings</button>
      </form>
    </section>
  )
}

const SecuritySection: FC<{ csrf?: string; nonce: string }> = ({ csrf, nonce }) => (
  <section aria-labelledby="security-heading">
    <h2 id="security-heading">Two-step login</h2>
    <p>An authenticator app's code at login, and before payouts and API keys.</p>
    <Button action="/me/totp" csrf={csrf} nonce={nonce} label="Set up an authenticator" />
    <form method="post" action="/me/totp/disable" class="inline">
      <Guard csrf={csrf} nonce={nonce} />
      <label>
        Current code <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" size={6} required />
      </label>
      <button type="submit" class="danger">
        Turn it off
      </button>
    </form>
  </section>
)

/** The body of /me (inside the site's layout). */
export const MeView: FC<{ data: MeData; csrf?: string; nonce: string }> = ({ data, csrf, nonce }) => (
  <>
    <PollsSection polls={data.polls} csrf={csrf} nonce={nonce} />
    <NotificationsSection notifications={data.notifications} csrf={csrf} nonce={nonce} />
    <OrdersSection data={data} csrf={csrf} nonce={nonce} />
    <SettingsSection data={data} csrf={csrf} nonce={nonce} />
    <SecuritySection csrf={csrf} nonce={nonce} />
  </>
)

/** The enrolment step: the secret to type or the otpauth link, and the form that confirms a first code. */
export const TotpEnrolView: FC<{ secret: string; otpauthUrl: string; csrf?: string; nonce: string }> = ({ secret, otpauthUrl, csrf, nonce }) => (
  <section aria-labelledby="totp-heading">
    <h2 id="totp-heading">Add Souk to your authenticator</h2>
    <p>
      Enter this key in your authenticator app: <code id="totp-secret">{secret}</code> (or open <a href={otpauthUrl}>this otpauth link</a> on the device that has it).
    </p>
    <form method="post" action="/me/totp/verify" class="stack">
      <Guard csrf={csrf} nonce={nonce} />
      <label>
        The code it shows now <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" size={6} required />
      </label>
      <button type="submit">Turn on two-step login</button>
    </form>
  </section>
)

/** Shown once: the recovery codes. */
export const RecoveryCodesView: FC<{ codes: string[] }> = ({ codes }) => (
  <section aria-labelledby="codes-heading">
    <h2 id="codes-heading">Two-step login is on</h2>
    <p>Keep these recovery codes somewhere safe; each works once, and they are not shown again.</p>
    <ul id="recovery-codes">
      {codes.map((code) => (
        <li>
          <code>{code}</code>
        </li>
      ))}
    </ul>
    <p>
      <a href="/me">Back to your page</a>
    </p>
  </section>
)

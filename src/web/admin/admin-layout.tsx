import type { Child, FC } from 'hono/jsx'
import type { Principal } from '../../accounts/principal'
import type { Flash } from '../flash'

/** The console's pages, in the order the menu lists them. */
export const consolePages = [
  { path: '/admin', label: 'Overview' },
  { path: '/admin/slo', label: 'SLOs' },
  { path: '/admin/reviews', label: 'Reviews' },
  { path: '/admin/disputes', label: 'Disputes' },
  { path: '/admin/dead-letters', label: 'Dead letters' },
  { path: '/admin/audit', label: 'Audit log' },
  { path: '/admin/users', label: 'Users' },
  { path: '/admin/payouts', label: 'Payouts' },
  { path: '/admin/polls', label: 'Polls' },
] as const

export type ConsolePath = (typeof consolePages)[number]['path']

/** What every console page knows about its request: who is looking, their form token, the last action's message. */
export type PageFrame = { principal?: Principal; csrf?: string; flash?: Flash }

/** The hidden field every state-changing form carries (web/csrf.ts). */
export const CsrfField: FC<{ token?: string }> = ({ token }) => (token ? <input type="hidden" name="csrf" value={token} /> : null)

/** A POST form of one button: an action on the row it sits in. */
export const ActionForm: FC<{ action: string; csrf?: string; label: string; danger?: boolean; fields?: Record<string, string> }> = ({ action, csrf, label, danger, fields }) => (
  <form method="post" action={action} class="inline">
    <CsrfField token={csrf} />
    {Object.entries(fields ?? {}).map(([name, value]) => (
      <input type="hidden" name={name} value={value} />
    ))}
    <button type="submit" class={danger ? 'danger' : undefined}>
      {label}
    </button>
  </form>
)

/** The page around each console view: menu, who is signed in, logout, the flash message. */
export const AdminLayout: FC<PageFrame & { title: string; active?: ConsolePath; children?: Child }> = ({ title, active, principal, csrf, flash, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} — Souk console</title>
      <link rel="icon" href="data:," />
      <link rel="stylesheet" href="/admin/console.css" />
    </head>
    <body>
      <header>
        <strong class="brand">Souk console</strong>
        {principal && (
          <nav aria-label="Console">
            {consolePages.map((p) => (
              <a href={p.path} aria-current={p.path === active ? 'page' : undefined}>
                {p.label}
              </a>
            ))}
          </nav>
        )}
        {principal && (
          <div class="who">
            <span>
              {principal.userId} <em>({principal.role})</em>
            </span>
            <ActionForm action="/admin/logout" csrf={csrf} label="Log out" />
          </div>
        )}
      </header>
      <main>
        <h1>{title}</h1>
        {flash && (
          <p class={`flash ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
            {flash.text}
          </p>
        )}
        {children}
      </main>
    </body>
  </html>
)

/** "Next page" for a list paged by cursor; nothing when this is the last page. */
export const NextPage: FC<{ path: string; params?: Record<string, string | undefined>; cursor: string | null }> = ({ path, params, cursor }) => {
  if (cursor === null) return null
  const query = new URLSearchParams()
  for (const [k, v] of Object.entries(params ?? {})) if (v) query.set(k, v)
  query.set('cursor', cursor)
  return (
    <p class="pager">
      <a href={`${path}?${query.toString()}`} rel="next">
        Next page →
      </a>
    </p>
  )
}

/** A note where a table would be, when there is nothing to list. */
export const Empty: FC<{ children?: Child }> = ({ children }) => <p class="empty">{children}</p>

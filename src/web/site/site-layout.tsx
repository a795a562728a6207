import type { Child, FC } from 'hono/jsx'
import type { PageFrame } from '../admin/admin-layout'

/** The site's sections, in the order the header lists them. */
export const siteSections = [
  { path: '/', label: 'Browse' },
  { path: '/sell', label: 'Sell' },
  { path: '/me', label: 'Me' },
] as const

export type SitePath = (typeof siteSections)[number]['path']

export type SiteLayoutProps = PageFrame & {
  title: string
  active?: SitePath
  /** The search box's text (the front page's query). */
  q?: string
  /** Scripts of this origin the page loads (deferred), e.g. `/site/listing-live.js`. */
  scripts?: string[]
  /** The current path and query, for the "Log in" link to come back to. */
  here?: string
  /** Attributes for `<main>` (data for the page's script). */
  mainData?: Record<string, string>
  children?: Child
}

/** The hidden field every state-changing form carries (web/csrf.ts). */
export const Csrf: FC<{ token?: string }> = ({ token }) => (token ? <input type="hidden" name="csrf" value={token} /> : null)

/** Where "Log in" sends a person, to come back to `here`. */
export const loginHref = (here?: string): string => (here && here !== '/' ? `/login?next=${encodeURIComponent(here)}` : '/login')

/**
 * The page around every page of the site (`/`, `/listings/{id}`, `/sell`, `/me`, `/login`, …): a
 * skip link, the header with the search box and the sections, who is signed in and how to leave,
 * the flash the last action left, the footer. Stylesheet /site/site.css; no inline script or style
 * (the pages' CSP allows this origin only).
 */
export const SiteLayout: FC<SiteLayoutProps> = ({ title, active, q, scripts, here, mainData, principal, csrf, flash, children }) => {
  const data: Record<string, string> = {}
  for (const [k, v] of Object.entries(mainData ?? {})) data[`data-${k}`] = v
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} — Souk</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/site/site.css" />
        {(scripts ?? []).map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <a class="brand" href="/">
            Souk
          </a>
          <form class="search" method="get" action="/" role="search">
            <label for="site-q" class="visually-hidden">
              Search listings
            </label>
            <input id="site-q" type="search" name="q" value={q ?? ''} placeholder="Search listings" maxlength={200} />
            <button type="submit">Search</button>
          </form>
          <nav aria-label="Site">
            {siteSections.map((s) => (
              <a href={s.path} aria-current={s.path === active ? 'page' : undefined}>
                {s.label}
              </a>
            ))}
            {principal ? (
              <form method="post" action="/logout" class="inline">
                <Csrf token={csrf} />
                <button type="submit">Log out</button>
              </form>
            ) : (
              <>
                <a href={loginHref(here)}>Log in</a>
                <a href="/register">Register</a>
              </>
            )}
          </nav>
        </header>
        <main id="main" tabindex={-1} {...data}>
          <h1>{title}</h1>
          {flash && (
            <p class={`flash ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
              {flash.text}
            </p>
          )}
          {children}
        </main>
        <footer class="site">
          <p>
            Souk — a marketplace. Payments here run in the sandbox: use the test cards. <a href="/docs">API reference</a>
          </p>
        </footer>
      </body>
    </html>
  )
}

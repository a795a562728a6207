import type { FC } from 'hono/jsx'

/** Where the Worker serves Scalar's browser bundle from (copied by scripts/vendor-assets.ts, never a CDN). */
export const referenceBundle = '/vendor/scalar/standalone.js'

/**
 * Scalar's settings for /docs: the document from this origin, and nothing that reaches another
 * host. No web fonts (fonts.scalar.com), no telemetry, no AI agent, no "open in client" button
 * (client.scalar.com) and no proxy (`proxyUrl` unset: "Try it" calls the API from the page, same origin).
 */
export const referenceConfiguration = {
  url: '/v1/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: 'never',
  documentDownloadType: 'json',
  persistAuth: false,
}

/**
 * The API reference at /docs: Scalar renders /v1/openapi.json (operations by tag, request and
 * response schemas with examples, the problem codes, a "Test Request" panel). It loads only
 * from this origin, so it works offline. `#problem-<code>`, where problem `type`s point, is
 * taken to that code's row by /docs/problem-anchor.js once the reference has rendered.
 */
export const DocsPage: FC<{ title: string }> = ({ title }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} — reference</title>
      <link rel="icon" href="data:," />
      <style>{'tr[aria-current] td { background: #fff3bf }'}</style>
    </head>
    <body>
      <script id="api-reference" data-configuration={JSON.stringify(referenceConfiguration)}></script>
      <script src={referenceBundle}></script>
      <script src="/docs/problem-anchor.js"></script>
    </body>
  </html>
)

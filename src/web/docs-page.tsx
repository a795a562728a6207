import type { FC } from 'hono/jsx'
import { problemCodes, problemTitles } from '../http/problem-codes'

/**
 * The browsable contract at /docs: every operation of the OpenAPI document, grouped by tag, with
 * its parameters, body and responses, and the table of problem codes that problem `type`s link
 * to. Rendered on the server from the same document as /v1/openapi.json, with no script and
 * nothing fetched from elsewhere, so it works offline and behind strict CSPs.
 */
const methods = ['get', 'post', 'put', 'patch', 'delete'] as const
type Schema = Record<string, unknown>
type Parameter = { name?: string; in?: string; required?: boolean; description?: string }
type Operation = {
  summary?: string
  tags?: string[]
  parameters?: Parameter[]
  security?: unknown[]
  requestBody?: { description?: string; content?: Record<string, { schema?: Schema | object }> }
  responses?: Record<string, { description?: string }>
}
type PathItem = Partial<Record<(typeof methods)[number], Operation>>
export type DocsDocument = {
  info: { title: string; version: string; description?: string }
  paths?: Record<string, PathItem>
  components?: { schemas?: Record<string, unknown> }
}

/** Inlines `#/components/schemas/…` references so a body reads whole where it is used. */
function resolveRefs(schema: unknown, components: Record<string, unknown>, seen: string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((s) => resolveRefs(s, components, seen))
  if (typeof schema !== 'object' || schema === null) return schema
  const ref = (schema as { $ref?: unknown }).$ref
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    const name = ref.slice('#/components/schemas/'.length)
    return seen.includes(name) ? { $ref: ref } : resolveRefs(components[name], components, [...seen, name])
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolveRefs(v, components, seen)]))
}

const styles = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem 1.5rem;color:#1d1d1f}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
details.op{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.4rem .8rem}
summary{cursor:pointer} .method{display:inline-block;width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#0a6b2c}.post{color:#0b4fa8}.put,.patch{color:#8a5a00}.delete{color:#a4161a}
code,pre{font:13px ui-monospace,monospace;background:#f5f5f7;border-radius:4px}
pre{padding:.6rem;overflow:auto} table{border-collapse:collapse} td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left}
.lock{color:#666;font-size:.85em}`

const OperationView: FC<{ method: string; path: string; op: Operation; components: Record<string, unknown> }> = ({ method, path, op, components }) => {
  const declared = op.requestBody?.content?.['application/json']?.schema
  const body = declared ? resolveRefs(declared, components) : undefined
  return (
    <details class="op" id={`${method}-${path}`}>
      <summary>
        <span class={`method ${method}`}>{method}</span> <code>{path}</code> {op.summary}
        {op.security?.length ? <span class="lock"> · needs a bearer token</span> : null}
      </summary>
      {op.parameters?.length ? (
        <table>
          <tr><th>parameter</th><th>in</th><th>required</th><th>about</th></tr>
          {op.parameters.map((p) => (
            <tr><td><code>{p.name}</code></td><td>{p.in}</td><td>{p.required ? 'yes' : 'no'}</td><td>{p.description ?? ''}</td></tr>
          ))}
        </table>
      ) : null}
      {body ? (<><h4>Body</h4><pre>{JSON.stringify(body, null, 2)}</pre></>) : null}
      <h4>Responses</h4>
      <ul>
        {Object.entries(op.responses ?? {}).map(([status, r]) => (
          <li><code>{status}</code> {r.description ?? ''}</li>
        ))}
      </ul>
    </details>
  )
}

export const DocsPage: FC<{ doc: DocsDocument }> = ({ doc }) => {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>()
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of methods) {
      const op = item[method]
      if (!op) continue
      const tag = op.tags?.[0] ?? 'Other'
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }])
    }
  }
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{doc.info.title} — reference</title>
        <style>{styles}</style>
      </head>
      <body>
        <h1>{doc.info.title}</h1>
        <p>
          Version {doc.info.version}. {doc.info.description} Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a>.
        </p>
        <nav>
          {[...byTag.keys()].map((tag) => (
            <a href={`#tag-${tag}`} style="margin-right:1rem">{tag}</a>
          ))}
          <a href="#problems">Problem codes</a>
        </nav>
        {[...byTag.entries()].map(([tag, ops]) => (
          <section id={`tag-${tag}`}>
            <h2>{tag}</h2>
            {ops.map((o) => (<OperationView {...o} components={doc.components?.schemas ?? {}} />))}
          </section>
        ))}
        <section id="problems">
          <h2>Problem codes</h2>
          <table>
            <tr><th>code</th><th>meaning</th></tr>
            {problemCodes.map((code) => (
              <tr id={`problem-${code}`}><td><code>{code}</code></td><td>{problemTitles[code]}</td></tr>
            ))}
          </table>
        </section>
      </body>
    </html>
  )
}

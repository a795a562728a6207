import { createBrowserSubscription } from '../../support/web-push-receiver'
import { call, json, type Registered } from './api'

let phones = 0

/** Gives the user a verified phone the way a person does: PUT, read the code off the development outbox, verify. */
export async function verifyPhone(u: Registered, phone = `+1555${String(Date.now() % 1_000_000).padStart(6, '0')}${++phones % 10}`): Promise<string> {
  const put = await call('/v1/me/phone', { method: 'PUT', token: u.token, json: { phone } })
  if (put.status !== 202) throw new Error(`PUT /v1/me/phone: ${put.status} ${await put.text()}`)
  const outbox = await json<{ data: { channel: string; recipient: string; body: string }[] }>(await call('/v1/dev/outbox', { token: u.token }))
  const code = /\b(\d{6})\b/.exec(outbox.data.find((m) => m.channel === 'sms' && m.recipient === phone)?.body ?? '')?.[1]
  if (!code) throw new Error(`no code for ${phone} in the outbox`)
  const verify = await call('/v1/me/phone/verify', { method: 'POST', token: u.token, json: { code } })
  if (verify.status !== 200) throw new Error(`verify: ${verify.status} ${await verify.text()}`)
  return phone
}

/** Registers a browser's push subscription (real P-256 keys) for the user; answers its id and endpoint. */
export async function subscribePush(u: Registered, endpoint = `https://push.example.net/wpush/${crypto.randomUUID()}`): Promise<{ id: string; endpoint: string }> {
  const browser = await createBrowserSubscription(endpoint)
  const res = await call('/v1/me/push-subscriptions', { method: 'POST', token: u.token, json: { endpoint, expirationTime: null, keys: { p256dh: browser.keys.p256dh, auth: browser.keys.auth } } })
  if (res.status !== 201) throw new Error(`POST /v1/me/push-subscriptions: ${res.status} ${await res.text()}`)
  return json<{ id: string; endpoint: string }>(res)
}

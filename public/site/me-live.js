/* global document, location, fetch, FormData, WebSocket, setTimeout, URLSearchParams */
// /me, live: asks the page for a single-use ticket (POST /me/live-ticket, with the form's CSRF
// token; the page calls POST /v1/me/live-tickets with the session), opens GET /v1/me/live?ticket=…
// and shows what arrives: a `notification` frame at the top of the inbox, a `poll` frame as an
// answer form at once, an `order.updated` frame as the order's new status. A dropped socket is
// reopened with a fresh ticket after a growing pause; one closed because the session ended is not.
const ticketForm = document.getElementById('live-ticket')
const statusLine = document.getElementById('live-status')
const inbox = document.getElementById('notifications')
const polls = document.getElementById('polls')
const pollTemplate = document.getElementById('poll-template')

const say = (text) => {
  if (statusLine) statusLine.textContent = text
}

function showNotification(n) {
  if (!inbox || !n || typeof n.id !== 'string' || document.getElementById(n.id)) return
  const li = document.createElement('li')
  li.id = n.id
  li.className = 'unread live'
  li.dataset.type = String(n.type ?? '')
  const title = document.createElement('strong')
  title.textContent = String(n.title ?? n.type ?? 'Notification')
  const body = document.createElement('span')
  body.textContent = ` ${String(n.body ?? '')} `
  const time = document.createElement('time')
  time.dateTime = String(n.createdAt ?? '')
  time.textContent = 'just now'
  li.append(title, body, time)
  inbox.prepend(li)
  document.getElementById('notifications-empty')?.remove()
}

function showPoll(p) {
  const id = /^[A-Za-z0-9_]+$/
  if (!polls || !pollTemplate || !p || !id.test(String(p.pollId)) || !id.test(String(p.deliveryId)) || document.getElementById(p.deliveryId)) return
  const item = pollTemplate.content.firstElementChild.cloneNode(true)
  item.id = p.deliveryId
  item.querySelector('form').action = `/me/polls/${p.pollId}/answer`
  item.querySelector('input[name=deliveryId]').value = p.deliveryId
  item.querySelector('.poll-question').textContent = String(p.question ?? 'How did it go?')
  polls.prepend(item)
  document.getElementById('polls-empty')?.remove()
  item.querySelector('input[name=score]')?.focus()
}

function showOrder(o) {
  if (!o || typeof o.orderId !== 'string' || typeof o.status !== 'string') return
  const cell = document.getElementById(o.orderId)?.querySelector('td.status')
  if (cell) {
    cell.textContent = o.status.replaceAll('_', ' ')
    cell.className = `status ${o.status}`
    cell.dataset.status = o.status
  }
}

let pause = 1000

async function connect() {
  let url
  try {
    const res = await fetch('/me/live-ticket', { method: 'POST', body: new URLSearchParams(new FormData(ticketForm)), credentials: 'same-origin' })
    if (!res.ok) throw new Error(`ticket ${res.status}`)
    url = (await res.json()).url
  } catch {
    return retry()
  }
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${url}`)
  ws.addEventListener('open', () => {
    pause = 1000
    say('Live: new notifications appear here as they happen.')
    document.body.dataset.live = 'open'
  })
  ws.addEventListener('message', (e) => {
    let frame
    try {
      frame = JSON.parse(e.data)
    } catch {
      return
    }
    if (frame.type === 'notification') showNotification(frame.data)
    else if (frame.type === 'poll') showPoll(frame.data)
    else if (frame.type === 'order.updated') showOrder(frame.data)
  })
  ws.addEventListener('close', (e) => {
    document.body.dataset.live = 'closed'
    if (e.code === 4001) return say('Your session ended: log in again for live notifications.')
    retry()
  })
}

function retry() {
  say('Live notifications paused; reconnecting…')
  setTimeout(connect, pause)
  pause = Math.min(pause * 2, 30_000)
}

if (ticketForm && typeof WebSocket !== 'undefined') connect()

/* global document, location, fetch, WebSocket, setTimeout, setInterval, URLSearchParams, FormData */
// Souk: keeps a listing's page (/listings/{id}) current over its live channel,
// GET /v1/listings/{id}/live?since={seq} (docs/LISTINGS.md "Watchers"): the price, the bid count
// and history, the countdown, the stock and the ended state. Reconnects after a drop with
// `since` set to the last seq it applied, so nothing is missed or applied twice. Also sends the
// bid form with fetch and shows the outcome in place. Plain script, no build step; the page works
// without it.
;(function () {
  'use strict'
  var main = document.querySelector('main[data-listing-id]')
  if (!main) return
  var id = main.getAttribute('data-listing-id')
  var seq = Number(main.getAttribute('data-seq')) || 0
  var $ = function (name) { return main.querySelector('[data-live="' + name + '"]') }
  var formatters = {}

  function money(m) {
    if (!m || typeof m.amount !== 'number') return '—'
    var f = formatters[m.currency]
    if (!f) f = formatters[m.currency] = new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency, minimumFractionDigits: 2, maximumFractionDigits: 2 })
    return f.format(m.amount / 100)
  }

  // The same words as the server's timeLeft (src/web/site/site-format.ts).
  function timeLeft(endsAtMs, nowMs) {
    var left = Math.floor((endsAtMs - nowMs) / 1000)
    if (!(left > 0)) return 'Ended'
    var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600), m = Math.floor((left % 3600) / 60), s = left % 60
    var two = function (n) { return (n < 10 ? '0' : '') + n }
    if (d > 0) return d + 'd ' + h + 'h left'
    if (h > 0) return h + 'h ' + two(m) + 'm left'
    return m + 'm ' + two(s) + 's left'
  }

  function setText(name, text) {
    var el = $(name)
    if (el && text !== undefined && text !== null) el.textContent = String(text)
  }

  function announce(text) { setText('state', text) }

  var endsEl = $('ends')
  var endsAt = endsEl ? Date.parse(endsEl.getAttribute('datetime')) : NaN
  var ended = main.querySelector('.ended-note') !== null

  function setEnds(iso) {
    if (!iso || !endsEl) return
    endsAt = Date.parse(iso)
    endsEl.setAttribute('datetime', iso)
    tick()
  }

  function tick() {
    if (endsEl && !isNaN(endsAt)) endsEl.textContent = timeLeft(endsAt, Date.now())
  }

  function end(text) {
    ended = true
    setText('status', 'Ended')
    var forms = main.querySelectorAll('form[action^="/listings/"]')
    for (var i = 0; i < forms.length; i++) {
      var buttons = forms[i].querySelectorAll('button')
      for (var j = 0; j < buttons.length; j++) buttons[j].disabled = true
    }
    announce(text)
  }

  function addBid(d) {
    var body = $('bids')
    if (!body) return
    var none = $('no-bids')
    if (none) none.remove()
    var row = document.createElement('tr')
    var at = new Date()
    var cells = [d.bidder || 'bidder', money(d.currentPrice), at.toISOString().slice(0, 16).replace('T', ' ') + ' UTC']
    for (var i = 0; i < cells.length; i++) {
      var cell = document.createElement('td')
      cell.textContent = cells[i]
      if (i === 1) cell.className = 'num'
      row.appendChild(cell)
    }
    body.insertBefore(row, body.firstChild)
    while (body.children.length > 20) body.removeChild(body.lastChild)
  }

  var statusWords = { active: 'Active', ended: 'Ended', sold_out: 'Sold out', withdrawn: 'Withdrawn' }

  // A listing snapshot (on listing.* events and live.resync): everything the page shows of it.
  function applyListing(l) {
    if (!l) return
    setText('price', money(l.format === 'auction' ? l.currentPrice : l.price))
    if (l.bidCount !== undefined) setText('bid-count', l.bidCount)
    if (l.available !== undefined) setText('available', l.available)
    if (l.reserveMet !== undefined) setText('reserve', l.reserveMet ? 'Met' : 'Not met yet')
    if (l.minimumBid) setText('minimum', ' — at least ' + money(l.minimumBid))
    if (l.endsAt) setEnds(l.endsAt)
    if (statusWords[l.status]) setText('status', statusWords[l.status])
    if (l.status && l.status !== 'active' && !ended) end('This listing is ' + statusWords[l.status].toLowerCase() + '.')
  }

  // Missed more than the relay replays: the listing as it stands, and the history read again.
  function refetchBids() {
    var body = $('bids')
    if (!body) return
    fetch('/v1/listings/' + id + '/bids?limit=20', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null })
      .then(function (page) {
        if (!page) return
        body.textContent = ''
        page.data.slice().reverse().forEach(function (b) { addBid({ bidder: b.bidder, currentPrice: b.price }) })
      })
      .catch(function () {})
  }

  var outcomes = { sold: 'Sold', no_bids: 'Ended without bids', reserve_not_met: 'Ended: the reserve was not met', bought_now: 'Bought with Buy It Now', cancelled: 'Cancelled' }

  function apply(frame) {
    if (!frame || typeof frame.seq !== 'number' || frame.seq <= seq) return // already applied
    seq = frame.seq
    main.setAttribute('data-seq', String(seq))
    var d = frame.data || {}
    switch (frame.type) {
      case 'bid.placed':
        setText('price', money(d.currentPrice))
        setText('bid-count', d.bidCount)
        setEnds(d.endsAt)
        setText('minimum', '') // the next minimum is the server's to say; the API refuses a bid below it
        addBid(d)
        announce('New bid: ' + money(d.currentPrice) + ' by ' + d.bidder)
        break
      case 'auction.extended':
      case 'auction.resumed':
        setEnds(d.endsAt)
        announce('The auction now ends later.')
        break
      case 'auction.ended':
        if (d.finalPrice) setText('price', money(d.finalPrice))
        end('Auction ended: ' + (outcomes[d.outcome] || d.outcome) + (d.finalPrice ? ' at ' + money(d.finalPrice) : '') + '.')
        break
      case 'stock.reserved':
      case 'stock.released':
      case 'stock.committed':
      case 'stock.restocked':
        if (d.available !== undefined) setText('available', d.available)
        break
      case 'live.resync':
        applyListing(d.listing)
        refetchBids()
        break
      default:
        if (d.listing) applyListing(d.listing)
    }
  }

  var backoff = 500
  var socket = null

  function connect() {
    var scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
    socket = new WebSocket(scheme + '//' + location.host + '/v1/listings/' + id + '/live?since=' + seq)
    socket.onopen = function () {
      backoff = 500
      main.setAttribute('data-live-state', 'open')
    }
    socket.onmessage = function (e) {
      var frame
      try {
        frame = JSON.parse(e.data)
      } catch {
        return // not a frame of ours
      }
      apply(frame)
    }
    socket.onclose = function () {
      main.setAttribute('data-live-state', 'closed')
      if (ended && statusIsFinal()) return
      var wait = backoff + Math.random() * backoff
      backoff = Math.min(backoff * 2, 30000)
      setTimeout(connect, wait)
    }
  }

  function statusIsFinal() {
    var s = $('status')
    return s && s.textContent !== 'Active'
  }

  // The bid form, sent with fetch to the same page endpoint: the outcome shows in place.
  var bidForm = main.querySelector('form[data-bid-form]')
  if (bidForm) {
    bidForm.addEventListener('submit', function (e) {
      e.preventDefault()
      var button = bidForm.querySelector('button')
      var out = bidForm.querySelector('[data-live="bid-result"]')
      button.disabled = true
      fetch(bidForm.action, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams(new FormData(bidForm)), credentials: 'same-origin' })
        .then(function (r) { return r.json().catch(function () { return { ok: false, message: 'Something went wrong (' + r.status + ').' } }) })
        .then(function (result) {
          if (result.login) return location.assign(result.login)
          out.textContent = result.message
          out.className = result.ok ? 'flash ok' : 'flash error'
          if (result.nonce) bidForm.querySelector('input[name=nonce]').value = result.nonce
          if (result.ok) bidForm.querySelector('input[name=amount]').value = ''
        })
        .catch(function () {
          out.textContent = 'The bid could not be sent; check your connection and try again.'
          out.className = 'flash error'
        })
        .then(function () { button.disabled = false })
    })
  }

  setInterval(tick, 1000)
  if (!ended) connect()
})()

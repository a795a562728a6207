/* global document, location, MutationObserver, setTimeout */
// Problem `type`s link to /docs#problem-<code>. The reference draws the problem codes as a table in
// its introduction, after the page has loaded; once the code's row exists, this gives it that id,
// marks it and brings it into view. Gives up after 15 s (the reference failed to render).
const code = /^#problem-([a-z_]+)$/.exec(location.hash)?.[1]
if (code) {
  const find = () => [...document.querySelectorAll('td > code')].find((el) => el.textContent === code)?.closest('tr')
  const show = (row) => {
    row.id = `problem-${code}`
    row.setAttribute('aria-current', 'true')
    row.scrollIntoView({ block: 'center' })
  }
  const observer = new MutationObserver(() => {
    const row = find()
    if (!row) return
    observer.disconnect()
    show(row)
  })
  observer.observe(document.body, { childList: true, subtree: true })
  setTimeout(() => observer.disconnect(), 15_000)
}

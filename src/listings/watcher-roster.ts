/**
 * Which relays hold a listing's watchers, and how many each holds as last heard. A listing needs
 * one relay per RELAY_CAPACITY watchers (at least one, at most MAX_RELAYS), so a listing with
 * three watchers pays for one relay and a hot auction's ten thousand are spread over twenty; a
 * newcomer joins the least loaded of the relays its listing needs now. Counts are the listing's
 * belief: raised as it admits watchers, corrected by each relay's answer to a forward.
 */
export const RELAY_CAPACITY = 500
export const MAX_RELAYS = 64

/**
 * How long after its last admission a relay stays on the roster even if it reports no sockets: the
 * route asks the listing `admitWatcher()` and only then hands the upgrade to the relay, so a
 * watcher admitted before a forward left may reach the relay after it answered.
 */
export const ADMISSION_GRACE_MS = 30_000

/**
 * `admissions`: how many watchers the listing has sent to this relay (in this object's lifetime);
 * `admittedAt`: when it last sent one, by the listing's clock.
 */
export type RelayEntry = { watchers: number; admissions: number; admittedAt: number }
/** Relay shard → what the listing knows of it. */
export type Roster = Readonly<Record<number, RelayEntry>>

export const totalWatchers = (roster: Roster): number => Object.values(roster).reduce((n, r) => n + r.watchers, 0)

/** How many relays `watchers` need. */
export function relaysNeeded(watchers: number, capacity = RELAY_CAPACITY, max = MAX_RELAYS): number {
  return Math.min(max, Math.max(1, Math.ceil(watchers / capacity)))
}

/** The relay for one more watcher: the least loaded of those the listing then needs (the lowest shard on a tie). */
export function chooseRelay(roster: Roster, capacity = RELAY_CAPACITY, max = MAX_RELAYS): number {
  const needed = relaysNeeded(totalWatchers(roster) + 1, capacity, max)
  let best = 0
  for (let shard = 1; shard < needed; shard++) {
    if ((roster[shard]?.watchers ?? 0) < (roster[best]?.watchers ?? 0)) best = shard
  }
  return best
}

/** The roster once one more watcher has been sent to `shard` at `now`. */
export function admitted(roster: Roster, shard: number, now: number): Roster {
  const entry = roster[shard] ?? { watchers: 0, admissions: 0, admittedAt: now }
  return { ...roster, [shard]: { watchers: entry.watchers + 1, admissions: entry.admissions + 1, admittedAt: now } }
}

/**
 * The roster once `shard` answered a forward with `watchers` sockets at `now`, the forward having
 * left when the listing had made `admissionsAtSend` admissions to it. Watchers admitted since may
 * not have reached the relay yet, so they are added on top. A relay that reports none, was sent
 * nobody meanwhile and nobody in the last ADMISSION_GRACE_MS (a watcher admitted just before the
 * forward left may still be on its way) leaves the roster: it is forwarded nothing until someone
 * joins it again.
 */
export function reported(roster: Roster, shard: number, watchers: number, admissionsAtSend: number, now: number): Roster {
  const entry = roster[shard]
  if (!entry) return roster
  const since = entry.admissions - admissionsAtSend
  if (watchers === 0 && since === 0 && now - entry.admittedAt >= ADMISSION_GRACE_MS) {
    const { [shard]: _gone, ...rest } = roster
    return rest
  }
  return { ...roster, [shard]: { ...entry, watchers: watchers + since } }
}

// Timeline state: the loaded window of a room's messages, kept sorted,
// and the rows the virtual list draws (messages and day separators).

import type { OutboxState, TimelineItem, Uuid } from './types';

/** Server order first (by seq), local echoes after, oldest first. */
export function compareItems(a: TimelineItem, b: TimelineItem): number {
  const sa = a.seq ?? Number.POSITIVE_INFINITY;
  const sb = b.seq ?? Number.POSITIVE_INFINITY;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Adds or replaces `item` (by id), keeping the order. */
export function upsert(items: TimelineItem[], item: TimelineItem): TimelineItem[] {
  const rest = items.filter((i) => i.id !== item.id);
  let lo = 0;
  let hi = rest.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareItems(rest[mid], item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  rest.splice(lo, 0, item);
  return rest;
}

/** A local echo became the server's message. */
export function replace(items: TimelineItem[], local: Uuid, item: TimelineItem): TimelineItem[] {
  return upsert(
    items.filter((i) => i.id !== local),
    item,
  );
}

export function removeIds(items: TimelineItem[], ids: Uuid[]): TimelineItem[] {
  const gone = new Set(ids);
  return items.filter((i) => !gone.has(i.id));
}

/** Older items (a page) put before the loaded ones, without duplicates. */
export function prepend(items: TimelineItem[], older: TimelineItem[]): TimelineItem[] {
  const have = new Set(items.map((i) => i.id));
  return [...older.filter((i) => !have.has(i.id)), ...items].sort(compareItems);
}

/** Newer items (a page) put after the loaded ones, without duplicates. */
export function append(items: TimelineItem[], newer: TimelineItem[]): TimelineItem[] {
  return prepend(newer, items);
}

/** The largest server seq loaded: where the next newer page starts. */
export function newestSeq(items: TimelineItem[]): number | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const s = items[i].seq;
    if (s !== null) return s;
  }
  return null;
}

/** The smallest server seq loaded: where the next older page starts. */
export function oldestSeq(items: TimelineItem[]): number | null {
  for (const i of items) if (i.seq !== null) return i.seq;
  return null;
}

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'marker'; key: string }
  | { kind: 'message'; key: string; item: TimelineItem; continued: boolean };

function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/**
 * The rows to draw: a day separator before each new day, the read marker
 * before the first message after `readSeq` that others sent, and each
 * message flagged `continued` when it follows the same sender within
 * five minutes (drawn without its header).
 */
export function buildRows(
  items: TimelineItem[],
  dayLabel: (ms: number) => string,
  readSeq: number | null = null,
  me: Uuid | null = null,
): Row[] {
  const rows: Row[] = [];
  // The current day's bounds, so that a Date is made once per day, not
  // once per message.
  let dayStart = Number.POSITIVE_INFINITY;
  let dayEnd = Number.NEGATIVE_INFINITY;
  let prev: TimelineItem | null = null;
  let markerPlaced = false;
  for (const item of items) {
    let newDay = false;
    if (item.created_at < dayStart || item.created_at >= dayEnd) {
      const d = new Date(item.created_at);
      dayStart = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
      dayEnd = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
      if (!prev || prev.created_at < dayStart || prev.created_at >= dayEnd) {
        rows.push({ kind: 'day', key: `day-${dayKey(item.created_at)}`, label: dayLabel(item.created_at) });
        newDay = true;
      }
    }
    let marker = false;
    if (!markerPlaced && readSeq !== null && item.seq !== null && item.seq > readSeq && item.sender_id !== me) {
      rows.push({ kind: 'marker', key: 'read-marker' });
      markerPlaced = true;
      marker = true;
    }
    const continued =
      !newDay &&
      !marker &&
      prev !== null &&
      prev.sender_id === item.sender_id &&
      !item.reply_to &&
      item.created_at - prev.created_at < 5 * 60_000;
    rows.push({ kind: 'message', key: item.id, item, continued });
    prev = item;
  }
  return rows;
}

/** The Fluent id and arguments describing a local echo's state. */
export function echoLabel(s: OutboxState | null): { id: string; args?: Record<string, string | number> } | null {
  if (!s) return null;
  switch (s.state) {
    case 'pending':
      return { id: 'state-pending' };
    case 'sending':
      return { id: 'state-sending' };
    case 'retrying':
      return { id: 'state-retrying', args: { attempts: s.attempts } };
    case 'failed':
      return { id: 'state-failed', args: { reason: s.text || s.reason } };
    default:
      return null;
  }
}

/** The newest message the user sent that can still be edited. */
export function lastOwn(items: TimelineItem[], me: Uuid | null): TimelineItem | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    if (it.sender_id === me && !it.deleted && it.kind === 'text') return it;
  }
  return null;
}

/** How many messages in the loaded window reply inside each thread root. */
export function threadCounts(items: TimelineItem[]): Map<Uuid, number> {
  const m = new Map<Uuid, number>();
  for (const i of items) if (i.thread_root) m.set(i.thread_root, (m.get(i.thread_root) ?? 0) + 1);
  return m;
}

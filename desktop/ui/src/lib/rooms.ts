// Room list logic: filter, badges and totals.

import type { Connection, OutboxItem, RoomSummary, Theme, Uuid } from './types';

/** Joined rooms matching `filter` (name or topic, case and accents
 * ignored), in the workspace when one is chosen. */
export function filterRooms(rooms: RoomSummary[], filter: string, workspace: Uuid | null = null): RoomSummary[] {
  const fold = (s: string) =>
    s
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase();
  const f = fold(filter.trim());
  return rooms.filter(
    (r) =>
      r.membership === 'joined' &&
      (workspace === null || r.workspace_id === workspace) &&
      (!f || fold(r.name).includes(f) || fold(r.topic ?? '').includes(f)),
  );
}

/** Unread messages over every room that is not muted. */
export function totalUnread(rooms: RoomSummary[]): number {
  return rooms.filter((r) => !r.muted).reduce((n, r) => n + r.unread_count, 0);
}

/** The badge a room shows: mentions win over plain unread. */
export function badge(r: RoomSummary): { kind: 'mention' | 'unread'; count: number } | null {
  if (r.mention_count > 0) return { kind: 'mention', count: r.mention_count };
  if (r.unread_count > 0) return { kind: 'unread', count: r.unread_count };
  return null;
}

/** Writes still waiting to go out (read markers aside). */
export function queuedCount(outbox: OutboxItem[]): number {
  return outbox.filter(
    (o) => o.kind !== 'mark_read' && (o.state.state === 'pending' || o.state.state === 'sending' || o.state.state === 'retrying'),
  ).length;
}

export type Banner = { id: 'banner-offline' | 'banner-connecting' | 'banner-syncing'; queued: number } | null;

/** The connection banner: none when online. */
export function banner(c: Connection, queued: number): Banner {
  switch (c.state) {
    case 'online':
      return null;
    case 'offline':
      return { id: 'banner-offline', queued };
    case 'connecting':
      return { id: 'banner-connecting', queued };
    case 'syncing':
      return { id: 'banner-syncing', queued };
  }
}

/** The theme to draw: the setting, or the system's when it follows it. */
export function resolveTheme(setting: Theme, systemDark: boolean): 'light' | 'dark' {
  if (setting === 'system') return systemDark ? 'dark' : 'light';
  return setting;
}

/** The room switcher's answers: rooms whose name starts with or contains
 * the query, starts first. */
export function switcherMatches(rooms: RoomSummary[], q: string, limit = 8): RoomSummary[] {
  const f = q.trim().toLowerCase();
  const joined = rooms.filter((r) => r.membership === 'joined');
  if (!f) return joined.slice(0, limit);
  const starts = joined.filter((r) => r.name.toLowerCase().startsWith(f));
  const contains = joined.filter((r) => !r.name.toLowerCase().startsWith(f) && r.name.toLowerCase().includes(f));
  return [...starts, ...contains].slice(0, limit);
}

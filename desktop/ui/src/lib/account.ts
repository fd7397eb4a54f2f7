// State logic for the account screens (profile, devices, people), the
// room info panel, the workspace switcher and transfer progress. Pure
// functions, so they are tested without a window.

import type { Device, NotifyLevel, Person, RoomNotifications, RoomSummary, Uuid, Workspace } from './types';

/** What the room's notification menu shows: muted reads as "none". */
export function notifyChoice(n: RoomNotifications): NotifyLevel {
  return n.muted ? 'none' : n.notify;
}

/** What choosing `level` in that menu sets on the server. */
export function notifyChange(level: NotifyLevel): RoomNotifications {
  return level === 'none' ? { muted: true, notify: 'none' } : { muted: false, notify: level };
}

/** This device first, then the others, most recently seen first. */
export function orderDevices(devices: Device[]): Device[] {
  return [...devices].sort((a, b) => Number(b.current) - Number(a.current) || b.last_seen_at - a.last_seen_at);
}

/** A device's name: the one it gave, else its user agent. */
export function deviceName(d: Device, unknown: string): string {
  return d.device_name?.trim() || d.user_agent?.trim() || unknown;
}

export function personName(p: { display_name: string; username: string }): string {
  return p.display_name.trim() || p.username;
}

/** People a search found, without the caller and without those already in
 * the room. */
export function candidates(found: Person[], me: Uuid | null, inRoom: Uuid[] = []): Person[] {
  const skip = new Set(inRoom);
  return found.filter((p) => p.user_id !== me && !skip.has(p.user_id));
}

/** Up to two initials for an avatar without a picture. */
export function initials(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .map((w) => [...w][0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

/** Whole percent of a transfer, or null when its size is not known. */
export function percent(done: number, total: number | null): number | null {
  if (!total || total <= 0) return null;
  return Math.max(0, Math.min(100, Math.round((100 * done) / total)));
}

export interface WorkspaceTab {
  id: Uuid;
  name: string;
  unread: number;
}

/** The workspace switcher's entries: every workspace the caller is in or
 * has rooms in, by name, with the unread count of its unmuted rooms. A
 * workspace whose name is not known yet (offline) shows the start of its
 * id. */
export function workspaceTabs(workspaces: Workspace[], rooms: RoomSummary[]): WorkspaceTab[] {
  const names = new Map(workspaces.map((w) => [w.id, w.name.trim() || w.slug]));
  const ids = new Set([...workspaces.map((w) => w.id), ...rooms.map((r) => r.workspace_id)]);
  const unread = (id: Uuid) =>
    rooms.filter((r) => r.workspace_id === id && r.membership === 'joined' && !r.muted).reduce((n, r) => n + r.unread_count, 0);
  return [...ids]
    .map((id) => ({ id, name: names.get(id) ?? id.slice(0, 8), unread: unread(id) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Megabytes, one decimal under ten. */
export function megabytes(bytes: number): string {
  const mb = bytes / (1 << 20);
  return mb < 10 ? mb.toFixed(1) : String(Math.round(mb));
}

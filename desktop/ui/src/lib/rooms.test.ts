import { describe, expect, it } from 'vitest';
import { badge, banner, filterRooms, queuedCount, resolveTheme, switcherMatches, totalUnread } from './rooms';
import type { OutboxItem, RoomSummary } from './types';

function room(name: string, extra: Partial<RoomSummary> = {}): RoomSummary {
  return {
    id: name,
    workspace_id: 'w1',
    kind: 'channel',
    name,
    topic: null,
    membership: 'joined',
    muted: false,
    unread_count: 0,
    mention_count: 0,
    last_activity: 0,
    last_message: null,
    local_only: false,
    pending_count: 0,
    failed_count: 0,
    ...extra,
  };
}

function out(kind: string, state: OutboxItem['state']): OutboxItem {
  return { txn_id: kind + state.state, room_id: 'r', kind, state, created_at: 0 };
}

describe('rooms', () => {
  const rooms = [
    room('general', { unread_count: 3, topic: 'Company news' }),
    room('Café', { unread_count: 2, mention_count: 1, workspace_id: 'w2' }),
    room('random', { unread_count: 5, muted: true }),
    room('old', { membership: 'left' }),
  ];

  it('filters by name or topic, ignoring case and accents, and by workspace', () => {
    expect(filterRooms(rooms, '').map((r) => r.name)).toEqual(['general', 'Café', 'random']);
    expect(filterRooms(rooms, 'cafe').map((r) => r.name)).toEqual(['Café']);
    expect(filterRooms(rooms, 'NEWS').map((r) => r.name)).toEqual(['general']);
    expect(filterRooms(rooms, '', 'w2').map((r) => r.name)).toEqual(['Café']);
    expect(filterRooms(rooms, 'zzz')).toEqual([]);
  });

  it('counts unread outside muted rooms and picks badges', () => {
    expect(totalUnread(rooms)).toBe(5);
    expect(badge(rooms[0])).toEqual({ kind: 'unread', count: 3 });
    expect(badge(rooms[1])).toEqual({ kind: 'mention', count: 1 });
    expect(badge(room('quiet'))).toBeNull();
  });

  it('counts queued writes and shows the banner only when not online', () => {
    const outbox = [
      out('send', { state: 'pending' }),
      out('send', { state: 'retrying', attempts: 1, next_attempt_at: 0, last_error: 'x' }),
      out('mark_read', { state: 'pending' }),
      out('send', { state: 'failed', reason: 'no', text: 'нет' }),
    ];
    expect(queuedCount(outbox)).toBe(2);
    expect(banner({ state: 'online', last_sync: 1 }, 2)).toBeNull();
    expect(banner({ state: 'offline', last_sync: null }, 2)).toEqual({ id: 'banner-offline', queued: 2 });
    expect(banner({ state: 'connecting', last_sync: null }, 0)).toEqual({ id: 'banner-connecting', queued: 0 });
  });

  it('follows the system theme unless one is chosen', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('ranks switcher matches that start with the query first', () => {
    const rs = [room('design'), room('general'), room('gen-z')];
    expect(switcherMatches(rs, 'ge').map((r) => r.name)).toEqual(['general', 'gen-z']);
    expect(switcherMatches(rs, 'n').map((r) => r.name)).toEqual(['design', 'general', 'gen-z']);
  });
});

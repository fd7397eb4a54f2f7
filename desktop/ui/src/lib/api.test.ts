import { describe, expect, it } from 'vitest';
import { createApi, EVENT, toCmdError } from './api';
import { fakeTransport } from './fake';
import type { ClientEvent } from './types';

describe('api', () => {
  it('calls each command by its name with snake_case arguments', async () => {
    const f = fakeTransport({
      auth_login: () => ({ user_id: 'u', session_id: 's', server_url: 'http://h' }),
      timeline_page: () => ({ items: [], has_more_local: false, needs_backfill: true }),
      timeline_send: () => 'local-id',
      rooms_mark_read: () => null,
      search_messages: () => [],
      files_send_bytes: () => 'm',
    });
    const api = createApi(f.transport);
    expect((await api.login('http://h', 'alice', 'pw')).user_id).toBe('u');
    expect(await api.timeline('r1')).toEqual({ items: [], has_more_local: false, needs_backfill: true });
    expect(await api.send('r1', 'hi')).toBe('local-id');
    await api.markRead('r1');
    await api.search({ text: 'привет', room_id: 'r1' });
    await api.sendBytes('r1', 'a.png', new Uint8Array([1, 2, 3]));
    expect(f.calls).toEqual([
      { cmd: 'auth_login', args: { server_url: 'http://h', login: 'alice', password: 'pw' } },
      { cmd: 'timeline_page', args: { room_id: 'r1', before: null, limit: 100 } },
      { cmd: 'timeline_send', args: { room_id: 'r1', body: 'hi' } },
      { cmd: 'rooms_mark_read', args: { room_id: 'r1', seq: null } },
      { cmd: 'search_messages', args: { query: { text: 'привет', room_id: 'r1' } } },
      { cmd: 'files_send_bytes', args: { room_id: 'r1', name: 'a.png', data: [1, 2, 3], caption: null } },
    ]);
  });

  it('calls the account, people and room info commands with their arguments', async () => {
    const profile = { user_id: 'u', username: 'bob', display_name: 'Bob', email: 'b@x', avatar_file_id: null };
    const f = fakeTransport({
      account_profile: () => profile,
      account_set_name: (a) => ({ ...profile, display_name: a?.display_name }),
      account_set_avatar: (a) => ({ ...profile, avatar_file_id: a?.path ? 'f1' : null }),
      account_sessions: () => [],
      account_revoke_session: () => null,
      account_revoke_other_sessions: () => 2,
      users_search: () => [],
      rooms_members: () => [],
      rooms_invite: () => null,
      rooms_notifications: () => ({ muted: false, notify: 'all' }),
      rooms_set_notifications: () => null,
      files_cache_usage: () => ({ bytes: 1, pinned_bytes: 0, entries: 1, max_bytes: 2 }),
    });
    const api = createApi(f.transport);
    expect((await api.profile()).username).toBe('bob');
    expect((await api.setDisplayName('Robert')).display_name).toBe('Robert');
    expect((await api.setAvatar('/tmp/me.png')).avatar_file_id).toBe('f1');
    expect((await api.setAvatar(null)).avatar_file_id).toBeNull();
    await api.sessions();
    await api.revokeSession('s2');
    expect(await api.revokeOtherSessions()).toBe(2);
    await api.searchUsers('ev');
    await api.members('r1');
    await api.invite('r1', 'u2');
    expect(await api.roomNotifications('r1')).toEqual({ muted: false, notify: 'all' });
    await api.setRoomNotifications('r1', true, null);
    expect((await api.cacheUsage()).max_bytes).toBe(2);
    expect(f.calls).toEqual([
      { cmd: 'account_profile', args: undefined },
      { cmd: 'account_set_name', args: { display_name: 'Robert' } },
      { cmd: 'account_set_avatar', args: { path: '/tmp/me.png' } },
      { cmd: 'account_set_avatar', args: { path: null } },
      { cmd: 'account_sessions', args: undefined },
      { cmd: 'account_revoke_session', args: { session_id: 's2' } },
      { cmd: 'account_revoke_other_sessions', args: undefined },
      { cmd: 'users_search', args: { query: 'ev', limit: 20 } },
      { cmd: 'rooms_members', args: { room_id: 'r1' } },
      { cmd: 'rooms_invite', args: { room_id: 'r1', user_id: 'u2' } },
      { cmd: 'rooms_notifications', args: { room_id: 'r1' } },
      { cmd: 'rooms_set_notifications', args: { room_id: 'r1', muted: true, notify: null } },
      { cmd: 'files_cache_usage', args: undefined },
    ]);
  });

  it('turns failures into CmdErrors', async () => {
    const f = fakeTransport({
      auth_login: () => {
        throw { code: 'server', message: 'no', server_code: 'invalid_credentials', status: 401, transient: false };
      },
      rooms_list: () => {
        throw new Error('boom');
      },
    });
    const api = createApi(f.transport);
    await expect(api.login('http://h', 'a', 'b')).rejects.toMatchObject({ code: 'server', server_code: 'invalid_credentials', status: 401 });
    await expect(api.rooms()).rejects.toMatchObject({ code: 'unknown', message: 'Error: boom' });
    expect(toCmdError('x')).toEqual({ code: 'unknown', message: 'x', text: '', server_code: null, status: null, transient: false });
  });

  it('hears client events under one event name', async () => {
    const f = fakeTransport({});
    const api = createApi(f.transport);
    const got: ClientEvent[] = [];
    const un = await api.onEvent((e) => got.push(e));
    f.emit(EVENT, { type: 'room_list_changed' });
    un();
    f.emit(EVENT, { type: 'store_changed' });
    expect(got).toEqual([{ type: 'room_list_changed' }]);
  });
});

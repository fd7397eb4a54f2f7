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
    expect(toCmdError('x')).toEqual({ code: 'unknown', message: 'x', server_code: null, status: null, transient: false });
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

import { describe, expect, it } from 'vitest';
import { candidates, deviceName, initials, megabytes, notifyChange, notifyChoice, orderDevices, percent, personName, workspaceTabs } from './account';
import type { Device, Person, RoomSummary } from './types';

function device(id: string, last_seen_at: number, current = false, name: string | null = id): Device {
  return { id, device_name: name, ip: '10.0.0.1', user_agent: 'Tern/1', created_at: 0, last_seen_at, current };
}

function room(id: string, workspace_id: string, unread = 0, muted = false): RoomSummary {
  return {
    id,
    workspace_id,
    kind: 'channel',
    name: id,
    topic: null,
    membership: 'joined',
    muted,
    unread_count: unread,
    mention_count: 0,
    last_activity: 0,
    last_message: null,
    local_only: false,
    pending_count: 0,
    failed_count: 0,
  };
}

const person = (user_id: string, display_name = ''): Person => ({ user_id, username: user_id, display_name, avatar_file_id: null, bot: false });

describe('room notifications', () => {
  it('reads muted as none, and sets none as muted', () => {
    expect(notifyChoice({ muted: false, notify: 'mentions' })).toBe('mentions');
    expect(notifyChoice({ muted: true, notify: 'all' })).toBe('none');
    expect(notifyChange('none')).toEqual({ muted: true, notify: 'none' });
    expect(notifyChange('all')).toEqual({ muted: false, notify: 'all' });
    for (const l of ['all', 'mentions', 'none'] as const) expect(notifyChoice(notifyChange(l))).toBe(l);
  });
});

describe('devices', () => {
  it('puts this device first, then the most recently seen', () => {
    const ds = orderDevices([device('old', 1), device('me', 2, true), device('new', 9)]);
    expect(ds.map((d) => d.id)).toEqual(['me', 'new', 'old']);
  });

  it('names a device by its name, else its user agent', () => {
    expect(deviceName(device('a', 0, false, 'Laptop'), '?')).toBe('Laptop');
    expect(deviceName(device('a', 0, false, '  '), '?')).toBe('Tern/1');
    expect(deviceName({ ...device('a', 0, false, null), user_agent: null }, '?')).toBe('?');
  });
});

describe('people', () => {
  it('leaves out the caller and those already in the room', () => {
    const found = [person('me'), person('eve'), person('bob')];
    expect(candidates(found, 'me').map((p) => p.user_id)).toEqual(['eve', 'bob']);
    expect(candidates(found, 'me', ['bob']).map((p) => p.user_id)).toEqual(['eve']);
  });

  it('names people and draws initials', () => {
    expect(personName(person('eve', 'Eve Adams'))).toBe('Eve Adams');
    expect(personName(person('eve', ' '))).toBe('eve');
    expect(initials('Eve Adams')).toBe('EA');
    expect(initials('Ёжик в тумане')).toBe('ЁВ');
    expect(initials('')).toBe('');
  });
});

describe('workspace switcher', () => {
  it('names workspaces, counts unread of unmuted rooms, and knows rooms of unknown workspaces', () => {
    const tabs = workspaceTabs(
      [
        { id: 'w2', slug: 'zeta', name: 'Zeta Corp', kind: 'client' },
        { id: 'w1', slug: 'acme', name: 'Acme', kind: 'client' },
        { id: 'w3', slug: 'empty', name: '', kind: 'client' },
      ],
      [room('a', 'w1', 2), room('b', 'w1', 5, true), room('c', 'w2', 1), room('d', 'unknown-workspace-id', 3)],
    );
    expect(tabs).toEqual([
      { id: 'w1', name: 'Acme', unread: 2 },
      { id: 'w3', name: 'empty', unread: 0 },
      { id: 'unknown-workspace-id', name: 'unknown-', unread: 3 },
      { id: 'w2', name: 'Zeta Corp', unread: 1 },
    ]);
  });
});

describe('transfers and sizes', () => {
  it('gives whole percent, or null when the size is unknown', () => {
    expect(percent(0, 200)).toBe(0);
    expect(percent(101, 200)).toBe(51);
    expect(percent(300, 200)).toBe(100);
    expect(percent(5, null)).toBeNull();
    expect(percent(5, 0)).toBeNull();
  });

  it('says megabytes', () => {
    expect(megabytes(1.5 * (1 << 20))).toBe('1.5');
    expect(megabytes(1024 * (1 << 20))).toBe('1024');
  });
});

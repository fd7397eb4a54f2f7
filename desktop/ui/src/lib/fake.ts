// A fake transport for tests: answers commands from a handler table and
// lets a test emit events.

import type { Transport, Unlisten } from './api';

export interface Call {
  cmd: string;
  args: Record<string, unknown> | undefined;
}

export function fakeTransport(handlers: Record<string, (args: Record<string, unknown> | undefined) => unknown>) {
  const calls: Call[] = [];
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const transport: Transport = {
    async invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
      calls.push({ cmd, args });
      const h = handlers[cmd];
      if (!h) throw { code: 'unknown', message: `no fake for ${cmd}` };
      return (await h(args)) as T;
    },
    async listen<T>(event: string, handler: (p: T) => void): Promise<Unlisten> {
      const l = listeners.get(event) ?? [];
      l.push(handler as (p: unknown) => void);
      listeners.set(event, l);
      return () => listeners.set(event, (listeners.get(event) ?? []).filter((x) => x !== handler));
    },
  };
  const emit = (event: string, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  return { transport, calls, emit, listeners };
}

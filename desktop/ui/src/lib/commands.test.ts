import { describe, expect, it } from 'vitest';
import apiSource from './api.ts?raw';
import rustLib from '../../../src-tauri/src/lib.rs?raw';

describe('the command list', () => {
  it('every command the API module calls is registered on the Rust side', () => {
    const called = [...apiSource.matchAll(/call<[^>]*>\('([a-z_]+)'/g)].map((m) => m[1]);
    const registered = new Set([...rustLib.matchAll(/^\s+(?:commands::)?[a-z]+::([a-z_]+),$/gm)].map((m) => m[1]));
    expect(called.length).toBeGreaterThan(30);
    expect(registered.size).toBeGreaterThan(30);
    expect(called.filter((c) => !registered.has(c))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { FluentBundle, FluentResource } from '@fluent/bundle';
import { dayLabel, errorText, LOCALES, messageIds, negotiate, SOURCES, timeLabel, translator } from './i18n';

describe('i18n', () => {
  it('every English key exists in Russian and the other way round', () => {
    const en = new Set(messageIds(SOURCES.en));
    const ru = new Set(messageIds(SOURCES.ru));
    expect(en.size).toBeGreaterThan(50);
    expect([...en].filter((k) => !ru.has(k))).toEqual([]);
    expect([...ru].filter((k) => !en.has(k))).toEqual([]);
  });

  it('every key a component asks for is in the catalog', () => {
    const sources = import.meta.glob('../components/*.svelte', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
    const en = new Set(messageIds(SOURCES.en));
    const used = Object.values(sources).flatMap((src) => [...src.matchAll(/\bt\('([a-z0-9-]+)'/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(50);
    expect([...new Set(used)].filter((k) => !en.has(k))).toEqual([]);
  });

  it('both catalogs parse without errors', () => {
    for (const l of LOCALES) {
      const b = new FluentBundle(l);
      expect(b.addResource(new FluentResource(SOURCES[l]))).toEqual([]);
    }
  });

  it('translates with plurals, and falls back to the id', () => {
    const en = translator('en');
    const ru = translator('ru');
    expect(en('queued', { count: 1 })).toBe('1 message waiting to send');
    expect(en('queued', { count: 3 })).toBe('3 messages waiting to send');
    expect(ru('queued', { count: 2 })).toBe('2 сообщения ждут отправки');
    expect(ru('queued', { count: 5 })).toBe('5 сообщений ждут отправки');
    expect(ru('sign-in')).toBe('Войти');
    expect(en('no-such-key')).toBe('no-such-key');
  });

  it('negotiates system tags', () => {
    expect(negotiate('ru_RU.UTF-8')).toBe('ru');
    expect(negotiate('ru-RU')).toBe('ru');
    expect(negotiate('de-DE')).toBe('en');
    expect(negotiate(null)).toBe('en');
  });

  it('says errors in words and labels days', () => {
    const t = translator('en');
    // The Rust side's words, in the app's language, are shown as they are,
    // never the English log message.
    const refused = {
      code: 'invalid_input',
      message: 'invalid input: message body: 1 to 16000 characters, not only spaces',
      text: 'В сообщении должно быть от 1 до 16000 символов, не только пробелы',
      server_code: null,
      status: null,
      transient: false,
    };
    expect(errorText(translator('ru'), refused)).toBe(refused.text);
    // An error raised on this side has no words of its own.
    expect(errorText(t, { code: 'network', message: '', text: '', server_code: null, status: null, transient: true })).toBe(
      'Cannot reach the server.',
    );
    expect(
      errorText(translator('ru'), { code: 'server', message: '', text: '', server_code: 'invalid_credentials', status: 401, transient: false }),
    ).toBe('Неверный логин или пароль.');
    const now = new Date(2026, 10, 25, 12).getTime();
    expect(dayLabel(t, 'en', now - 3600_000, now)).toBe('Today');
    expect(dayLabel(t, 'en', now - 86_400_000, now)).toBe('Yesterday');
    expect(dayLabel(translator('ru'), 'ru', now - 86_400_000, now)).toBe('Вчера');
    const old = new Date(2026, 2, 8, 9, 5).getTime();
    expect(dayLabel(t, 'en', old, now)).toBe('March 8, 2026');
    expect(dayLabel(translator('ru'), 'ru', old, now)).toBe('8 марта 2026 г.');
  });

  it('labels times in the locale, the same on every call', () => {
    const ms = new Date(2026, 10, 25, 14, 7).getTime();
    for (const l of LOCALES) {
      const want = new Date(ms).toLocaleTimeString(l, { hour: '2-digit', minute: '2-digit' });
      expect(timeLabel(l, ms)).toBe(want);
      expect(timeLabel(l, ms + 60_000)).not.toBe(want);
    }
    expect(timeLabel('ru', ms)).toBe('14:07');
  });
});

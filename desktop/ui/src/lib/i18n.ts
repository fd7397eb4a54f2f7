// Translations: the Fluent catalogs in client-core/i18n/<locale>/desktop.ftl,
// built into the front end.

import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import enSource from '../../../../client-core/i18n/en/desktop.ftl?raw';
import ruSource from '../../../../client-core/i18n/ru/desktop.ftl?raw';
import type { CmdError } from './types';

export const SOURCES = { en: enSource, ru: ruSource } as const;
export type Locale = keyof typeof SOURCES;
export const LOCALES = Object.keys(SOURCES) as Locale[];

function makeBundle(locale: Locale): FluentBundle {
  const b = new FluentBundle(locale, { useIsolating: false });
  const errors = b.addResource(new FluentResource(SOURCES[locale]));
  if (errors.length) console.warn(`desktop.ftl (${locale}):`, errors);
  return b;
}

const bundles = new Map<Locale, FluentBundle>();
function bundle(locale: Locale): FluentBundle {
  let b = bundles.get(locale);
  if (!b) {
    b = makeBundle(locale);
    bundles.set(locale, b);
  }
  return b;
}

/** The message ids a catalog defines. */
export function messageIds(source: string): string[] {
  const ids: string[] = [];
  for (const line of source.split('\n')) {
    const m = /^([a-z][a-z0-9-]*)\s*=/.exec(line);
    if (m) ids.push(m[1]);
  }
  return ids;
}

/** `ru-RU`, `ru_RU.UTF-8` → `ru`; anything unknown → `en`. */
export function negotiate(tag: string | null | undefined): Locale {
  const lang = (tag ?? '').toLowerCase().split(/[-_.@]/)[0];
  return (LOCALES as string[]).includes(lang) ? (lang as Locale) : 'en';
}

export type Translate = (id: string, args?: Record<string, FluentVariable>) => string;

/** A translator for `locale`; a missing message falls back to English,
 * then to its id. */
export function translator(locale: Locale): Translate {
  return (id, args) => {
    for (const l of [locale, 'en'] as Locale[]) {
      const b = bundle(l);
      const m = b.getMessage(id);
      if (m?.value) return b.formatPattern(m.value, args);
    }
    return id;
  };
}

/** A user-facing sentence for a failed command: the Rust side's own
 * words, already in the app's language (`text`); for an error raised on
 * this side, which has none, the catalog's. */
export function errorText(t: Translate, e: CmdError): string {
  if (e.text) return e.text;
  if (e.code === 'network') return t('error-network');
  if (e.server_code === 'invalid_credentials') return t('error-invalid-credentials');
  return t('error-generic', { message: e.message });
}

/** "Today", "Yesterday" or the date, for a day separator. */
export function dayLabel(t: Translate, locale: Locale, ms: number, now = Date.now()): string {
  const day = (x: number) => {
    const d = new Date(x);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  };
  const diff = Math.round((day(now) - day(ms)) / 86_400_000);
  if (diff === 0) return t('today');
  if (diff === 1) return t('yesterday');
  return formatter(dayFormats, locale, { day: 'numeric', month: 'long', year: 'numeric' }).format(ms);
}

// One formatter per locale and use: `toLocale*String` with options builds
// a new one on every call, which costs WebKit a fraction of a millisecond
// for each message a scrolling timeline draws.
const dayFormats = new Map<Locale, Intl.DateTimeFormat>();
const timeFormats = new Map<Locale, Intl.DateTimeFormat>();
function formatter(cache: Map<Locale, Intl.DateTimeFormat>, locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(locale, f);
  }
  return f;
}

export function timeLabel(locale: Locale, ms: number): string {
  return formatter(timeFormats, locale, { hour: '2-digit', minute: '2-digit' }).format(ms);
}

/**
 * The browser's session store: one IndexedDB object store ("scgnn-web" / "session") through idb-keyval, a
 * small, well-kept wrapper (get/set/del on a key-value store), instead of hand-written IndexedDB requests.
 * Opened by the engine worker; nothing here is sent anywhere.
 */
import { createStore, del, get, set } from 'idb-keyval';
import type { SessionStore } from './session-store.ts';

export function idbStore(): SessionStore {
  const store = createStore('scgnn-web', 'session');
  return {
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
  };
}

/**
 * Where the engine keeps what must survive a page reload: the dropped files, the last run's parameters and its
 * results. In the browser this is IndexedDB (idb-store.ts, opened by the worker); in Node tests a Map. Values
 * are structured-cloneable (Blobs, typed arrays, plain objects), so IndexedDB stores them as they are.
 */
export interface SessionStore {
  get<T>(key: SessionKey): Promise<T | undefined>;
  set(key: SessionKey, value: unknown): Promise<void>;
  del(key: SessionKey): Promise<void>;
}

export type SessionKey = 'dataset' | 'params' | 'results';

/**
 * An in-memory store (Node tests; also the fallback when IndexedDB is unavailable). Values are kept as given,
 * not cloned (Node cannot structured-clone a file-backed Blob); the engine never mutates what it stored.
 */
export function memoryStore(): SessionStore & { readonly size: () => number } {
  const map = new Map<SessionKey, unknown>();
  return {
    get: async <T>(key: SessionKey) => map.get(key) as T | undefined,
    set: async (key, value) => {
      map.set(key, value);
    },
    del: async (key) => {
      map.delete(key);
    },
    size: () => map.size,
  };
}

/**
 * One value per process under a global symbol, however many instances of the calling module are
 * loaded (tslab loads a notebook's imports through its own loader, so a module can exist twice).
 */
export function processWide<T>(key: string, make: () => T): T {
  const g = globalThis as Record<symbol, unknown>;
  const sym = Symbol.for(key);
  if (!(sym in g)) g[sym] = make();
  return g[sym] as T;
}

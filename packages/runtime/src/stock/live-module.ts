/**
 * A module object whose every read goes to the module the remote's running release has for one
 * expose, so that a stock host's `require('remote/expose')` (or `import`), however early it ran
 * and however its names were taken apart, reaches the new release after a swap:
 *
 * - a function export is a stable function that calls the running release's function of that
 *   name (calls in flight finish where they started), so `const { validate } = require(...)`
 *   at the top of a file keeps working across swaps;
 * - any other export is read from the running release when it is read, through the module
 *   object (a value copied out of it at load time stays what it was).
 */
export function createLiveModule(current: () => object): object {
  const calls = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  const callOf = (key: PropertyKey): ((...args: unknown[]) => unknown) => {
    let call = calls.get(key);
    if (!call) {
      call = function liveExport(this: unknown, ...args: unknown[]): unknown {
        const module = current() as Record<PropertyKey, unknown>;
        const target = module[key];
        if (typeof target !== 'function') throw new TypeError(`${String(key)} is no longer a function in the running release`);
        return Reflect.apply(target, this === live ? module : this, args);
      };
      calls.set(key, call);
    }
    return call;
  };
  // What the host's runtime itself puts on the module object (Module Federation tags it with a
  // symbol) stays on the live object; everything else is the running release's.
  const own = Object.create(null) as Record<PropertyKey, unknown>;
  const live: object = new Proxy(own, {
    get(target, key) {
      if (Object.hasOwn(target, key)) return target[key];
      const value = (current() as Record<PropertyKey, unknown>)[key];
      return typeof value === 'function' && key !== 'constructor' ? callOf(key) : value;
    },
    has: (target, key) => key in target || key in current(),
    ownKeys: (target) => [...new Set([...Reflect.ownKeys(target), ...Reflect.ownKeys(current())])],
    getOwnPropertyDescriptor(target, key) {
      if (Object.hasOwn(target, key)) return Reflect.getOwnPropertyDescriptor(target, key);
      const descriptor = Reflect.getOwnPropertyDescriptor(current(), key);
      if (!descriptor) return undefined;
      return { configurable: true, enumerable: descriptor.enumerable ?? true, writable: false, value: live[key as keyof typeof live] };
    },
    set: (target, key, value) => Reflect.defineProperty(target, key, { value, writable: true, enumerable: false, configurable: true }),
    defineProperty: (target, key, descriptor) => Reflect.defineProperty(target, key, descriptor),
    deleteProperty: () => false,
  });
  return live;
}

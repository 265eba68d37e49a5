// Store latency without touching the backends: a proxy that times every method returning a
// promise and counts failures, labelled by backend and method name. Methods are called on the
// real store (not the proxy) so backends' private fields keep working.
import type { Store } from '../runtime/ports/store.ts';
import type { Metrics } from './metrics.ts';

export function timedStore<S extends Store>(store: S, metrics: Metrics): S {
  // Keyed by the method itself, so a method replaced on the instance later (tests do) is timed as replaced.
  const wrapped = new WeakMap<object, unknown>();
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      let wrapper = wrapped.get(value);
      if (!wrapper) {
        const labels = { backend: target.kind, operation: property };
        wrapper = function timed(...args: unknown[]): unknown {
          const started = process.hrtime.bigint();
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (resolved) => {
              metrics.storeDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
              return resolved;
            },
            (error: unknown) => {
              metrics.storeDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
              metrics.storeErrors.inc(labels);
              throw error;
            },
          );
        };
        wrapped.set(value, wrapper);
      }
      return wrapper;
    },
  });
}

// Serialises work per key (a contact, an execution): callers with the same key run one after
// another, different keys run concurrently. In-process only; a shared store adds its own locks.
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    // The tail settles with nothing: holding the result (an execution record, say) in this long-lived
    // map would keep it alive through young-generation GCs until the key's next caller.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

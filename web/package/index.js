// mailsetup's JavaScript API: `init()` loads the component's WebAssembly (once, from beside this
// file), then `mount(element, options)` puts an instance into an element and returns its handle
// `{ ready, update(partial), unmount() }`. Importing this module where there is no `window`
// (server-side rendering) does nothing; `init()` resolves there without loading anything.
import loadWasm, { mount as mountWasm } from './mailsetup-wasm.js';

let loading = null;
let loaded = false;

/**
 * Loads the WebAssembly module. Idempotent: every call returns the same promise.
 * @param {string | URL | Response | BufferSource | WebAssembly.Module} [wasm] where the module
 *   is; by default `mailsetup-wasm_bg.wasm` beside this file.
 */
export default function init(wasm) {
  if (typeof window === 'undefined') return Promise.resolve();
  if (loading === null) {
    const module_or_path = wasm ?? new URL('./mailsetup-wasm_bg.wasm', import.meta.url);
    loading = loadWasm({ module_or_path }).then(() => {
      loaded = true;
    });
    // A failed load can be tried again.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/**
 * Mounts an instance into `element` (see index.d.ts for the options). Throws a TypeError for
 * options it cannot use, and an Error before `init()` has finished, for an element that is not
 * in the document, or for one that already holds an instance.
 */
export function mount(element, options) {
  if (!loaded) {
    throw new Error('mailsetup: call `await init()` before mount()');
  }
  const handle = mountWasm(element, options);
  let mounted = true;
  return {
    ready: handle.ready,
    update(partial) {
      if (!mounted) throw new Error('mailsetup: this instance was unmounted');
      handle.update(partial);
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      handle.unmount();
      handle.free();
    },
  };
}

// The Vite settings a host needs for mailsetup (README, "Embed it"):
// - assetsInlineLimit 0: Vite inlines small files as data: URLs, which a strict CSP refuses
//   (connect-src for the wasm chunks, style-src for the stylesheet's fetch);
// - optimizeDeps.exclude: the dev server's pre-bundling would move the package's modules away
//   from its .wasm files, which they load by relative URL.
// `base: './'` only lets the test serve the app under a sub-path.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { exclude: ['mailsetup'] },
});

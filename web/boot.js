// Starts the mailsetup wasm module on the standalone page without any inline script, so the page
// works under a Content-Security-Policy without 'unsafe-inline'. Trunk writes the hashed names of
// the generated files into the JSON block #mailsetup-boot; they are relative to this file.
const block = document.getElementById('mailsetup-boot');
if (block === null) {
  console.error('mailsetup: the #mailsetup-boot block is missing; rebuild with trunk');
} else {
  const files = JSON.parse(block.textContent);
  const here = new URL('.', import.meta.url);
  // Download the wasm module while the JavaScript bindings load, not after.
  const wasm = fetch(new URL(files.wasm, here));
  const bindings = await import(new URL(files.js, here).href);
  await bindings.default({ module_or_path: wasm });
}

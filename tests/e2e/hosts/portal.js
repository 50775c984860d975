// The host portal's script: loads the package and mounts one instance into #app with the
// options the URL names (`?options=<JSON>`), and leaves the API on `window.portal` for tests.
import init, { mount } from './pkg/index.js';

const params = new URLSearchParams(location.search);
const options = JSON.parse(params.get('options') ?? '{"storage":{"type":"memory"}}');
const changes = [];
const errors = [];
window.portal = { init, mount, changes, errors, handle: null, beforeInit: null };

// Mounting before init() has finished must throw a clear error.
try {
  mount(document.getElementById('app'), options);
} catch (error) {
  window.portal.beforeInit = String(error.message);
}

await init();
await init(); // idempotent
if (params.get('mount') !== 'no') {
  window.portal.handle = mount(document.getElementById('app'), {
    ...options,
    onChange: (detail) => changes.push(detail),
    onError: (error) => errors.push(error),
  });
  await window.portal.handle.ready;
}
document.body.dataset.portalReady = 'yes';

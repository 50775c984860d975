// The host page's own script for the tests: records the events <mail-setup> sends (they bubble
// and are composed). It comes before element.js in the page, so it listens before the element
// can send anything; the specs learn readiness from the element's `ready` promise instead.
window.seen = [];
for (const type of ['mailsetup-ready', 'mailsetup-change', 'mailsetup-error']) {
  document.addEventListener(type, (event) => window.seen.push({ type, detail: event.detail }));
}

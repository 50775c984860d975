// Records the events <mail-setup> sends (they bubble and are composed) for the tests.
window.seen = [];
for (const type of ['mailsetup-ready', 'mailsetup-change', 'mailsetup-error']) {
  document.addEventListener(type, (event) => window.seen.push({ type, detail: event.detail }));
}

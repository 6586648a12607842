// The waiting room's poll: with JavaScript the place and the wait update every 5 seconds and
// the visitor goes on as soon as their turn comes; without it, the page's meta refresh does.
(function () {
  var box = document.querySelector('[data-waiting-room]');
  if (!box) return;
  var position = box.querySelector('[data-position]');
  var wait = box.querySelector('[data-wait]');
  function poll() {
    fetch(box.dataset.waitingRoom, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (s.admitted) { window.location.assign(box.dataset.next); return; }
        position.textContent = String(s.position);
        wait.textContent = s.wait_seconds >= 60
          ? wait.dataset.minutes.replace('%d', String(Math.ceil(s.wait_seconds / 60)))
          : wait.dataset.soon;
      })
      .catch(function () {});
  }
  // The first poll comes soon: a new ticket takes its place in the queue when it comes back.
  setTimeout(function () { poll(); setInterval(poll, 5000); }, 2500);
})();

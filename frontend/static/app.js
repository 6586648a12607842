// Light progressive enhancement only: every page works without JavaScript.
document.addEventListener('submit', function (e) {
  // A second click on a form being sent would send it twice on a slow network.
  var form = e.target;
  if (form.dataset.sending === '1') { e.preventDefault(); return; }
  form.dataset.sending = '1';
  setTimeout(function () { form.dataset.sending = ''; }, 8000);
});

// Commune fields: suggestions from /api/communes as the parent types (the field also accepts a
// typed "Name (postal code)" without JavaScript).
document.querySelectorAll('input[data-communes]').forEach(function (input) {
  var list = document.getElementById(input.dataset.communes);
  var timer;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(function () {
      fetch('/api/communes?q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          list.textContent = '';
          items.forEach(function (it) {
            var o = document.createElement('option');
            o.value = it.label;
            list.appendChild(o);
          });
        })
        .catch(function () {});
    }, 150);
  });
});

// Live headline figures: the overview polls its totals every 30 seconds (a cheap count), so
// bookings and roll calls show without a reload.
document.querySelectorAll('[data-live]').forEach(function (box) {
  setInterval(function () {
    if (document.hidden) return;
    fetch(box.dataset.live, { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (t) {
        if (!t) return;
        Object.keys(t).forEach(function (k) {
          var el = document.getElementById('total-' + k);
          var shown = new Intl.NumberFormat(document.documentElement.lang || 'fr').format(t[k]);
          if (el && el.textContent !== shown) el.textContent = shown;
        });
      })
      .catch(function () {});
  }, 30000);
});

// Parts of a form that matter only once a box is ticked ("Ajouter un second parent") hide while
// it is not; without JavaScript they stay visible, labelled optional.
document.querySelectorAll('[data-shown-by]').forEach(function (part) {
  var box = document.getElementById(part.dataset.shownBy);
  if (!box) return;
  var sync = function () { part.hidden = !box.checked; };
  box.addEventListener('change', sync);
  sync();
});

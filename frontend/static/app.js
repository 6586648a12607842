// Light progressive enhancement only: every page works without JavaScript.
document.addEventListener('submit', function (e) {
  // A second click on a form being sent would send it twice on a slow network.
  var form = e.target;
  if (form.dataset.sending === '1') { e.preventDefault(); return; }
  form.dataset.sending = '1';
  setTimeout(function () { form.dataset.sending = ''; }, 8000);
});

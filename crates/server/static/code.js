// The code page: counts down to the code's expiry and fetches a fresh code 30 s before it, so
// the QR shown is always valid; a changed colour reloads the page (the reason changed too).
(function () {
  'use strict';
  var band = document.getElementById('band');
  if (!band) return;
  var left = Number(band.dataset.expiresIn);
  var el = document.getElementById('countdown'), st = document.getElementById('refresh-state');
  var refreshing = false;
  function refresh() {
    refreshing = true; st.textContent = band.dataset.refreshing;
    fetch('/api/v1/me/code', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (c) {
        document.getElementById('qr').innerHTML = c.qr_svg;
        if (band.dataset.colour !== c.colour) { location.reload(); return; }
        left = c.expires_in_seconds; st.textContent = ''; refreshing = false;
      })
      .catch(function () { st.textContent = band.dataset.offline; refreshing = false; });
  }
  setInterval(function () {
    left = Math.max(0, left - 1); el.textContent = left;
    if (left <= 30 && !refreshing) refresh();
  }, 1000);
})();

// The check-in confirmation's live clock: it ticks every second in the city's time zone, so door
// staff can tell the live page from a screenshot (whose clock stands still).
(function () {
  'use strict';
  var el = document.getElementById('live-clock');
  if (!el) return;
  var options = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, Object.assign({ timeZone: el.getAttribute('data-tz') }, options));
  } catch (e) {
    fmt = new Intl.DateTimeFormat(undefined, options);
  }
  var ticks = 0;
  function tick() {
    var now = new Date();
    el.textContent = fmt.format(now);
    el.setAttribute('datetime', now.toISOString());
    ticks += 1;
    document.body.setAttribute('data-clock-ticks', String(ticks));
  }
  tick();
  setInterval(tick, 1000);
})();

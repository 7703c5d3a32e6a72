// sw.js: keeps the checkpoint and venue scanner pages on the device, so an officer's phone that
// lost the network before opening the page still opens it, scans and queues (scanner.js keeps
// the trust and status lists and the queue in localStorage). Served at /sw.js by the server,
// which writes the hash of every embedded file into VERSION: any change to a script or style
// is a new worker, whose cache replaces the old one.
//
// Only GET requests of this origin are touched: a scanner page (network first, the copy kept
// for when the network fails), the page's files and its manifest (from the cache of this
// version, fetched when missing). Everything else goes to the network untouched.
const VERSION = '__VERSION__';
const CACHE = `hc-scanner-${VERSION}`;
const FILES = [
  '/static/base.css',
  '/static/scanner.css',
  '/static/scanner.js',
  '/static/hc-verify.js',
  '/static/vendor/zxing-reader.js',
  '/static/vendor/zxing_reader.wasm',
  '/static/vendor/jsQR.js',
  '/static/icon.svg',
];
const SCANNER = /^\/(checkpoint\/[^/]+|venue\/[^/]+\/scan)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('hc-scanner-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** The scanner page from the network, kept; the kept copy when the network fails. */
async function page(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(key, response.clone());
    return response;
  } catch (err) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw err;
  }
}

/** A file of this version from the cache, else fetched and kept. */
async function file(request, key) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(key);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(key, response.clone());
  return response;
}

// The first visit's page loaded before this worker ran: the page asks for itself to be kept.
self.addEventListener('message', (event) => {
  const path = event.data?.keep;
  const reply = event.ports?.[0];
  if (typeof path !== 'string' || !SCANNER.test(path)) {
    reply?.postMessage({ kept: false });
    return;
  }
  event.waitUntil(
    page(new Request(path, { credentials: 'same-origin' }), path)
      .then((r) => reply?.postMessage({ kept: r.ok && !r.redirected }))
      .catch(() => reply?.postMessage({ kept: false })),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && SCANNER.test(url.pathname)) {
    event.respondWith(page(request, url.pathname));
  } else if (FILES.includes(url.pathname)) {
    event.respondWith(file(request, url.pathname));
  } else if (url.pathname === '/scanner.webmanifest') {
    event.respondWith(file(request, url.pathname + url.search));
  }
});
